namespace MiniRun.Layers;

/// <summary>
/// An unpacked layer in the store: <c>layers/&lt;hex&gt;/diff</c> holds its files (whiteouts already in overlay form),
/// and <see cref="ShortLink"/> is its name under <c>l/</c>, relative to the store root, used in overlay's lowerdir
/// so that 128 layers fit in one page of mount options (moby's overlay2 does the same).
/// </summary>
public sealed record Layer(Digest DiffId, string Directory, string ShortLink, long Size)
{
    public string DiffPath => Path.Combine(Directory, "diff");

    /// <summary>The tar the layer came from, less its file data (<see cref="TarSplitWriter"/>); absent in stores older than it.</summary>
    public string TarSplitPath => Path.Combine(Directory, LayerStore.TarSplitFile);
}
