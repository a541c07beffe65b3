namespace MiniRun.Images.Registry;

/// <summary>What a pull needs besides the reference: the platform to choose, the client's settings, a progress sink.</summary>
public sealed record PullOptions
{
    public PlatformSpec Platform { get; init; } = PlatformSpec.Current;
    public RegistryClientOptions Client { get; init; } = new();
    /// <summary>Called from worker threads; must be thread-safe.</summary>
    public Action<LayerProgress>? Progress { get; init; }
    /// <summary>Layers downloaded at once (docker pull's default is 3).</summary>
    public int MaxParallelDownloads { get; init; } = 3;
}
