using System.Globalization;
using MiniRun.Cli.CommandLine;
using MiniRun.Containers;
using MiniRun.Native;

namespace MiniRun.Cli.Verbs;

public sealed class StopVerb : IVerb
{
    public string Name => "stop";
    public string Usage => "minirun stop [-t SECONDS] CONTAINER [CONTAINER...]";
    public string Summary => "Stop running containers: their stop signal (SIGTERM unless --stop-signal), then SIGKILL after the timeout";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("time", 't', "SECONDS", "Seconds to wait for the container to exit before killing it (default: its --stop-timeout, else 10)"),
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("SIGTERM (or the container's stop signal), SIGKILL if it still runs 10 s later", "minirun stop web"),
        new("Wait 30 seconds before SIGKILL", "minirun stop -t 30 web"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count == 0) throw UsageException.Arguments("\"minirun stop\" requires at least 1 argument (see 'minirun stop --help')");
        string? time = args.Get("time");
        int seconds = 0;
        if (time is not null && !int.TryParse(time, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seconds))
            throw new UsageException($"invalid argument \"{time}\" for \"-t, --time\": a whole number of seconds");
        return EachContainer.Run(args.Positionals, context, container =>
        {
            ContainerRecord record = container.Record;
            TimeSpan timeout = time is null ? record.StopTimeoutOrDefault() : seconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(seconds);
            // PID 1 ignores signals it has no handler for (pid_namespaces(7)), so the stop signal may do nothing: hence the SIGKILL.
            // A restarting container is only told not to restart; the wait lasts until its supervisor has given up.
            if (context.Containers.Signal(container, record.StopSignalOrDefault()) && !context.Containers.WaitUntilStopped(container, timeout, throughRestarts: true))
                context.Containers.Kill(container, Signal.Kill);
        });
    }
}
