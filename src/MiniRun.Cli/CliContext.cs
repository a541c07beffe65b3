using MiniRun.Containers;
using MiniRun.Native;
using MiniRun.Images;
using MiniRun.Layers;
using MiniRun.Store;

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

    public LayerStore Layers => _layers ??= new LayerStore(OpenStore(), Syscalls);
    /// <summary>Containers' directories and overlay mounts.</summary>
    public ContainerSnapshotter Snapshotter => _snapshotter ??= new(Layers);

    private ContainerSnapshotter? _snapshotter;
    public ImageStore Images => _images ??= new ImageStore(OpenStore(), Layers);
    public ContainerStore Containers => _containers ??= new ContainerStore(OpenStore());

    private bool _opened;

    /// <summary>Opens the store now: a store that cannot be used (a newer format, no space) is minirun's own failure, 125.</summary>
    public void Open() => OpenStore();

    /// <summary>The store, made or migrated on first use; a migration is told once, on stderr (stdout may be a pipe's data).</summary>
    private StorePaths OpenStore()
    {
        if (_opened) return Paths;
        Paths.EnsureCreated();
        foreach (StoreMigration step in Paths.Migrations)
            Console.Error.WriteLine(UserMessages.Line($"upgraded the store at {Paths.Root} to format {step.To}: {step.Change}"));
        _opened = true;
        return Paths;
    }
}
