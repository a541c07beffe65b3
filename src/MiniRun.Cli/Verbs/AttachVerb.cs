using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Containers;
using MiniRun.Containers.Attach;
using MiniRun.Native;

namespace MiniRun.Cli.Verbs;

/// <summary>`attach`: this terminal's stdin, stdout and stderr to a detached container's, through its supervisor, as docker attach.</summary>
public sealed class AttachVerb : IVerb
{
    public string Name => "attach";
    public string Usage => "minirun attach [OPTIONS] CONTAINER";
    public string Summary => "Attach this terminal to a running detached container (ctrl-p ctrl-q leaves it running)";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        DetachKeysOption,
        OptionSpec.Flag("no-stdin", null, "Do not attach stdin"),
        OptionSpec.Flag("sig-proxy", null, "Pass SIGINT, SIGTERM, SIGHUP and SIGQUIT on to the container, without -t (default true; --sig-proxy=false to not)"),
    ];

    internal static OptionSpec DetachKeysOption { get; } =
        OptionSpec.Value("detach-keys", null, "KEYS", $"Override the key sequence that detaches, leaving the container running (default {DetachKeys.Default})");

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 1) throw UsageException.Arguments("\"minirun attach\" requires exactly 1 argument (see 'minirun attach --help')");
        Container container = context.Containers.Resolve(args.Positionals[0]);
        DetachKeys keys = DetachKeys.Parse(args.Get("detach-keys"));
        ContainerStatus status = context.Containers.Observe(container);
        // Docker's words and status (1) for both.
        if (status.Paused) return Refused("You cannot attach to a paused container, unpause it first");
        if (!status.Running) return Stopped();
        bool noStdin = args.Has("no-stdin");
        if (container.Record.Tty && !noStdin && !KernelFiles.IsTerminal(0)) return RunVerb.NotATerminal();
        var options = new AttachOptions
        {
            Tty = container.Record.Tty,
            Stdin = !noStdin && container.Record.OpenStdin,
            DetachKeys = keys,
            ProxySignals = args.GetBool("sig-proxy", defaultValue: true),
            Redraw = true,
        };
        if (AttachSession.Connect(context, container) is not { } socket) return Stopped();
        return AttachSession.Run(context, container, socket, options, detachIsError: true);
    }

    private static int Stopped() => Refused("You cannot attach to a stopped container, start it first");

    private static int Refused(string message)
    {
        ErrorPrinter.Print(message);
        return 1;
    }
}
