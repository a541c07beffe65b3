using MiniRun.Sandbox;

namespace MiniRun.Containers;

/// <summary>
/// System.Text.Json builds each type's metadata on first use, scanning its attributes through reflection: about a
/// millisecond per record family in a NativeAOT process, on the path of every `run`. Started first, on a pool thread,
/// in the order the main thread needs them: the image's (while the main thread spawns the init stage), then the
/// container's and the init spec's (while it resolves the image).
/// </summary>
public static class RunMetadataWarmUp
{
    public static void Start() => ThreadPool.UnsafeQueueUserWorkItem(_ =>
    {
        _ = Images.ImagesJsonContext.Default.ImageConfig;
        _ = Images.ImagesJsonContext.Default.ImageMetadata;
        _ = ContainerJsonContext.Default.ContainerState;
        _ = ContainerJsonContext.Default.ContainerRecord;
        _ = SandboxJsonContext.Default.InitSpec;
    }, null);
}
