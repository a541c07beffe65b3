using System.Globalization;
using MiniRun.Cli.CommandLine;
using MiniRun.Containers;
using MiniRun.Native;

namespace MiniRun.Cli.Verbs;

public sealed class StopVerb : IVerb
{
    public string Name => "stop";
    public string Usage => "minirun stop [-t SECONDS] CONTAINER [CONTAINER...]";
    public string Summary => "Stop running containers: SIGTERM, then SIGKILL after the timeout";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("time", 't', "SECONDS", "Seconds to wait for the container to exit before killing it (default 10)"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count == 0) throw new UsageException("\"minirun stop\" requires at least 1 argument (see 'minirun stop --help')");
        string time = args.Get("time") ?? "10";
        if (!int.TryParse(time, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
            throw new UsageException($"invalid argument \"{time}\" for \"-t, --time\": a whole number of seconds");
        return EachContainer.Run(args.Positionals, context, container =>
        {
            // PID 1 ignores signals it has no handler for (pid_namespaces(7)), so SIGTERM may do nothing: hence the SIGKILL.
            if (context.Containers.Signal(container, Signal.Term) && !context.Containers.WaitUntilStopped(container, TimeSpan.FromSeconds(seconds)))
                context.Containers.Kill(container, Signal.Kill);
        });
    }
}
