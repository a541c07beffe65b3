using MiniRun.Runtime.Lifecycle;
using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Containers;

namespace MiniRun.Cli.Verbs;

/// <summary>`minirun umount IMAGE|CONTAINER`: undo `minirun mount`; the upper directory keeps what was written.</summary>
public sealed class UmountVerb : IVerb
{
    public string Name => "umount";
    public string Usage => "minirun umount IMAGE|CONTAINER";
    public string Summary => "Unmount what `minirun mount` mounted (the upper directory stays until `minirun rm`)";
    public VerbGroup Group => VerbGroup.MiniRun;
    public int FailureStatus => 125;
    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 1) throw new UsageException("\"minirun umount\" requires exactly 1 argument (see 'minirun umount --help')");
        var runner = new ContainerRunner(context.Images, context.Containers);
        try
        {
            ManualMount.OverlayPaths paths = new ManualMount(context.Images, context.Containers, runner).Unmount(args.Positionals[0]);
            context.Out.WriteLine($"unmounted {paths.Merged}");
            return 0;
        }
        catch (MiniRunException e) when (e is not UsageException)
        {
            // As Docker's verbs on a container in the wrong state (`unpause` of one not paused): one line, status 1.
            ErrorPrinter.Print(e);
            return 1;
        }
    }
}
