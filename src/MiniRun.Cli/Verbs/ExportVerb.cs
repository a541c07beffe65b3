using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Containers;
using MiniRun.Layers;

namespace MiniRun.Cli.Verbs;

public sealed class ExportVerb : IVerb
{
    public string Name => "export";
    public string Usage => "minirun export [-o FILE] CONTAINER";
    public string Summary => "Write a container's whole file tree (the merged overlay) as a flat tar";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("output", 'o', "FILE", "Write to a file instead of stdout"),
        OptionSpec.Flag("pause", null, "Pause a running container while its files are read (default true; --pause=false to not)"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 1) throw UsageException.Arguments("\"minirun export\" requires exactly 1 argument (see 'minirun export --help')");
        Container container = context.Containers.Resolve(args.Positionals[0]);
        // A stopped container's overlay is mounted for the export and unmounted after; a running one's is left alone.
        bool mountedHere = !OverlayMount.IsMounted(container.MergedDir);
        context.Snapshotter.Mount(context.Syscalls, container);
        try
        {
            using ContainerPause? paused = ContainerPause.WhileReading(context.Containers, container, args.GetBool("pause", defaultValue: true));
            OutputFile.Write(args.Get("output"), stream => new DirectoryArchiver(layerWhiteouts: false).Write(container.MergedDir, stream));
        }
        finally
        {
            if (mountedHere && !context.Containers.IsRunning(container)) OverlayMount.Unmount(container.MergedDir);
        }
        return 0;
    }
}
