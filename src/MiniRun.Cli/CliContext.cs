using MiniRun.Containers;
using MiniRun.Explain;
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

    /// <summary>--explain: set by the verb before the store is first used, so layer unpacking is narrated too.</summary>
    public IStepNarrator? Narrator { get; set; }

    public LayerStore Layers => _layers ??= new LayerStore(Paths.EnsureCreated(), Narrator);
    public ImageStore Images => _images ??= new ImageStore(Paths.EnsureCreated(), Layers);
    public ContainerStore Containers => _containers ??= new ContainerStore(Paths.EnsureCreated());
}
