using MiniRun.Containers;
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
    public TextWriter Out { get; } = Console.Out;

    public LayerStore Layers => _layers ??= new LayerStore(Paths.EnsureCreated());
    public ImageStore Images => _images ??= new ImageStore(Paths.EnsureCreated(), Layers);
    public ContainerStore Containers => _containers ??= new ContainerStore(Paths.EnsureCreated());
}
