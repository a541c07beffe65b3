using MiniRun.Cli.CommandLine;
using MiniRun.Native;

namespace MiniRun.Cli.Verbs;

public sealed class KillVerb : IVerb
{
    public string Name => "kill";
    public string Usage => "minirun kill [-s SIGNAL] CONTAINER [CONTAINER...]";
    public string Summary => "Send a signal (default KILL) to the init process of running containers";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("signal", 's', "SIGNAL", "Signal name or number: KILL, SIGTERM, 15 ..."),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count == 0) throw UsageException.Arguments("\"minirun kill\" requires at least 1 argument (see 'minirun kill --help')");
        Signal signal = Signals.Parse(args.Get("signal") ?? "KILL");
        return EachContainer.Run(args.Positionals, context, container =>
        {
            // A restarting container has no process: its restart is cancelled instead, as Docker's kill does.
            if (context.Containers.Observe(container) is not ({ Running: true } or { Restarting: true }) || !context.Containers.Signal(container, signal))
                throw new MiniRunException($"cannot kill container {container.Name}: it is not running");
        });
    }
}
