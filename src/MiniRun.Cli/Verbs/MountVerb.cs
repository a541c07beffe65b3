using MiniRun.Runtime.Lifecycle;
using MiniRun.Cli.CommandLine;
using MiniRun.Containers;
using MiniRun.Rootless;

namespace MiniRun.Cli.Verbs;

/// <summary>`minirun mount [--layer DIR]… IMAGE|CONTAINER`: mount the overlay on the host and print its directories.</summary>
public sealed class MountVerb : IVerb
{
    public string Name => "mount";
    public string Usage => "minirun mount [--layer DIR]... IMAGE|CONTAINER";
    public string Summary => "Mount a container's (or an image's) overlay on the host and print lower, upper, work, merged";
    public VerbGroup Group => VerbGroup.MiniRun;
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("layer", null, "DIR", "Extra lower directory above the init layer, for an image (repeatable, first is top)"),
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("Mount a container's overlay on the host and print its directories (minirun umount undoes it)", "minirun mount web"),
        new("An image's layers, as a container of it would see them", "minirun mount minibox"),
    ];
    public int FailureStatus => 125;

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 1) throw new UsageException("\"minirun mount\" requires exactly 1 argument (see 'minirun mount --help')");
        var runner = new ContainerRunner(context.Images, context.Containers);
        ManualMount.OverlayPaths paths = new ManualMount(context.Images, context.Containers, runner).Mount(args.Positionals[0], args.GetAll("layer"));
        // Rootless: the overlay is mounted in the user's rootless mount namespace, and the merged path on the host is the
        // empty directory below it; the pause process's /proc/PID/root leads into that namespace (the user's own process).
        if (RootlessMode.Active && RootlessPause.Pid(context.Paths.Root) is { } pause) paths = paths with { Merged = $"/proc/{pause}/root{paths.Merged}" };
        Print(context.Out, paths);
        return 0;
    }

    /// <summary>One "name path" line each; lower is overlay's lowerdir order, top first, ':'-separated. A vfs container
    /// has no upper or work dir (its merged/ is its own full copy): those lines are left out.</summary>
    public static void Print(TextWriter output, ManualMount.OverlayPaths paths)
    {
        output.WriteLine($"container {paths.ContainerId}");
        output.WriteLine($"lower     {string.Join(':', paths.Lower)}");
        if (Directory.Exists(paths.Upper)) output.WriteLine($"upper     {paths.Upper}");
        if (Directory.Exists(paths.Work)) output.WriteLine($"work      {paths.Work}");
        output.WriteLine($"merged    {paths.Merged}");
    }
}
