using MiniRun.Containers;
using MiniRun.Native;
using MiniRun.Images;
using MiniRun.Layers;

namespace MiniRun.Cli;

/// <summary>The store every verb works on, opened lazily so `minirun --help` touches nothing.</summary>
public sealed class CliContext(StorePaths paths)
{
    private LayerStore? _layers;
    private ImageStore? _images;
    private ContainerStore? _containers;

    public StorePaths Paths { get; } = paths;
    /// <summary>Console.Out, made on first use: `run` in the foreground never writes to it.</summary>
    public TextWriter Out => Console.Out;

    /// <summary>The seam for kernel side effects; --explain's narrating decorator is set by the verb before the store is first used, so layer unpacking is narrated too.</summary>
    public ISyscalls Syscalls { get; set; } = LinuxSyscalls.Instance;

    public LayerStore Layers => _layers ??= new LayerStore(Paths.EnsureCreated(), Syscalls);
    /// <summary>Containers' directories and overlay mounts.</summary>
    public ContainerSnapshotter Snapshotter => new(Layers);
    public ImageStore Images => _images ??= new ImageStore(Paths.EnsureCreated(), Layers);
    public ContainerStore Containers => _containers ??= new ContainerStore(Paths.EnsureCreated());
}
