using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Containers;
using MiniRun.Native;

namespace MiniRun.Cli.Verbs;

public sealed class RmVerb : IVerb
{
    public string Name => "rm";
    public string Usage => "minirun rm [-f] [-v] CONTAINER [CONTAINER...]";
    public string Summary => "Remove one or more containers (upper dir, work dir, mount, record)";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("force", 'f', "Kill a running container first"),
        OptionSpec.Flag("volumes", 'v', "Remove the container's anonymous volumes too (named volumes stay)"),
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("Remove a stopped container", "minirun rm web"),
        new("Kill and remove a running one, with its anonymous volumes", "minirun rm -fv web"),
        new("Remove every container", "minirun rm -f $(minirun ps -aq)"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count == 0) throw UsageException.Arguments("\"minirun rm\" requires at least 1 argument (see 'minirun rm --help')");
        int status = 0;
        foreach (string name in args.Positionals)
        {
            try
            {
                Container container = context.Containers.Resolve(name);
                if (args.Has("force") && context.Containers.Observe(container) is { Pid: > 0 } or { Restarting: true })
                    context.Containers.Kill(container, Signal.Kill); // a restarting one: its supervisor gives up first
                context.Containers.Remove(container);
                if (args.Has("volumes"))
                    new Volumes.VolumeStore(context.Paths).RemoveAnonymous(container.Record, context.Containers.List().Select(c => c.Record));
                context.Out.WriteLine(name);
            }
            catch (MiniRunException e)
            {
                // Like docker rm: report each failure, go on with the others, fail at the end.
                ErrorPrinter.Print(e);
                status = 1;
            }
        }
        return status;
    }
}
