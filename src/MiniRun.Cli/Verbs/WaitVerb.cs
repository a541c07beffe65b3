using MiniRun.Cli.CommandLine;
using MiniRun.Containers;

namespace MiniRun.Cli.Verbs;

public sealed class WaitVerb : IVerb
{
    public string Name => "wait";
    public string Usage => "minirun wait CONTAINER [CONTAINER...]";
    public string Summary => "Block until containers stop, then print their exit codes";

    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count == 0) throw UsageException.Arguments("\"minirun wait\" requires at least 1 argument (see 'minirun wait --help')");
        foreach (string name in args.Positionals)
        {
            Container container = context.Containers.Resolve(name);
            context.Containers.WaitUntilStopped(container, Timeout.InfiniteTimeSpan);
            ContainerStatus status = context.Containers.Observe(container);
            if (status.Status == StateStatus.Dead) throw new MiniRunException($"container {container.Name} is dead: its runner was killed, no exit code was recorded");
            context.Out.WriteLine(status.State.ExitCode);
        }
        return 0;
    }
}
