namespace MiniRun.Images;

/// <summary>Image records and the names that point at them (owner: the Images work; this is the agreed surface).</summary>
public sealed class ImageStore(StorePaths paths, MiniRun.Layers.LayerStore layers)
{
    public StorePaths Paths { get; } = paths;
    public MiniRun.Layers.LayerStore Layers { get; } = layers;

    /// <summary>By name ("minibox", "minibox:latest", "docker.io/library/minibox:latest"), full ID or unique ID prefix.</summary>
    public ImageRecord? TryResolve(string reference) => throw new NotImplementedException();

    public ImageRecord Resolve(string reference) =>
        TryResolve(reference) ?? throw new NotFoundException($"no such image: {reference}");

    public IReadOnlyList<ImageRecord> List() => throw new NotImplementedException();
}
