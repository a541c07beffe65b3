using MiniRun.Runtime.Lifecycle;
using MiniRun.Cli.CommandLine;
using MiniRun.Containers;

namespace MiniRun.Cli.Verbs;

public sealed class StartVerb : IVerb
{
    public string Name => "start";
    public string Usage => "minirun start CONTAINER [CONTAINER...]";
    public string Summary => "Start stopped containers in the background, on their existing upper dir";

    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count == 0) throw new UsageException("\"minirun start\" requires at least 1 argument (see 'minirun start --help')");
        return EachContainer.Run(args.Positionals, context, container =>
        {
            ContainerStatus status = context.Containers.Observe(container);
            if (status.Running || status.Restarting) return; // docker start of a running (or restarting) container does nothing
            if (status.Pid > 0) throw new MiniRunException($"container {container.Name} is dead with PID {status.Pid} still alive: rm -f it");
            ContainerSupervisor.Start(context.Containers, container, TimeSpan.FromSeconds(30));
        });
    }
}
