using MiniRun.Runtime.Lifecycle;
using MiniRun.Cli.CommandLine;
using MiniRun.Containers;
using MiniRun.Containers.Attach;

namespace MiniRun.Cli.Verbs;

public sealed class StartVerb : IVerb
{
    public string Name => "start";
    public string Usage => "minirun start [OPTIONS] CONTAINER [CONTAINER...]";
    public string Summary => "Start stopped containers in the background, on their existing upper dir";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("attach", 'a', "Attach stdout and stderr, pass signals on, and exit with the container's status"),
        OptionSpec.Flag("interactive", 'i', "Attach stdin too (for a container made with -i)"),
        AttachVerb.DetachKeysOption,
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count == 0) throw UsageException.Arguments("\"minirun start\" requires at least 1 argument (see 'minirun start --help')");
        if (args.Has("attach") || args.Has("interactive"))
        {
            if (args.Positionals.Count > 1) throw UsageException.Arguments("you cannot start and attach multiple containers at once");
            return StartAttached(context.Containers.Resolve(args.Positionals[0]), args, context);
        }
        return EachContainer.Run(args.Positionals, context, container =>
        {
            ContainerStatus status = context.Containers.Observe(container);
            if (status.Running || status.Restarting) return; // docker start of a running (or restarting) container does nothing
            if (status.Pid > 0) throw new MiniRunException($"container {container.Name} is dead with PID {status.Pid} still alive: rm -f it");
            ContainerSupervisor.Start(context.Containers, container, TimeSpan.FromSeconds(30));
        });
    }

    /// <summary>docker start -a: attached before the container starts, so that all it prints is shown; its exit status is ours.</summary>
    private static int StartAttached(Container container, ParsedArguments args, CliContext context)
    {
        var options = new AttachOptions
        {
            Tty = container.Record.Tty,
            Stdin = args.Has("interactive") && container.Record.OpenStdin,
            DetachKeys = DetachKeys.Parse(args.Get("detach-keys")),
            ProxySignals = !container.Record.Tty,
        };
        ContainerStatus status = context.Containers.Observe(container);
        if (status.Running)
        {
            if (AttachSession.Connect(context, container) is { } running) return AttachSession.Run(context, container, running, options, detachIsError: false);
            status = context.Containers.Observe(container); // it stopped meanwhile: started again, as docker start would
        }
        if (status.Pid > 0) throw new MiniRunException($"container {container.Name} is dead with PID {status.Pid} still alive: rm -f it");
        int socket = AttachedStart.Begin(context.Containers, container, TimeSpan.FromSeconds(30));
        return AttachSession.Run(context, container, socket, options, detachIsError: false);
    }
}
