namespace MiniRun.Layers;

/// <summary>Content-addressed layer directories (owner: the Layers work; this is the agreed surface).</summary>
public sealed class LayerStore(StorePaths paths)
{
    public StorePaths Paths { get; } = paths;

    /// <summary>The layer with this DiffID, or null when it is not in the store.</summary>
    public Layer? TryGet(Digest diffId) => throw new NotImplementedException();

    /// <summary>The layer with this DiffID; a <see cref="NotFoundException"/> when absent.</summary>
    public Layer Get(Digest diffId) => TryGet(diffId) ?? throw new NotFoundException($"layer {diffId} is not in the store");

    /// <summary>
    /// Unpacks an uncompressed layer tar into a temporary directory, checks that its sha256 equals
    /// <paramref name="expectedDiffId"/> (when given), and publishes it by rename. When the layer is already
    /// present the stream is only drained and verified. <paramref name="source"/> names the input in errors.
    /// </summary>
    public Layer Add(Stream uncompressedTar, Digest? expectedDiffId, string source) => throw new NotImplementedException();

    public IEnumerable<Layer> List() => throw new NotImplementedException();

    public void Remove(Digest diffId) => throw new NotImplementedException();
}
