using MiniRun.Sandbox;

namespace MiniRun.Containers;

/// <summary>
/// System.Text.Json builds each type's metadata on first use, scanning its attributes through reflection: about a
/// millisecond per record family in a NativeAOT process, on the path of every `run`. Started first, on a pool thread,
/// the container's and the init spec's metadata are built while the main thread resolves the image.
/// </summary>
public static class RunMetadataWarmUp
{
    public static void Start() => ThreadPool.UnsafeQueueUserWorkItem(_ =>
    {
        _ = ContainerJsonContext.Default.ContainerState;
        _ = ContainerJsonContext.Default.ContainerRecord;
        _ = SandboxJsonContext.Default.InitSpec;
    }, null);
}
