using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Containers;

namespace MiniRun.Cli.Verbs;

public sealed class PsVerb : IVerb
{
    public string Name => "ps";
    public string Usage => "minirun ps [-a] [-q]";
    public string Summary => "List containers";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("all", 'a', "Show all containers (default shows just running)"),
        OptionSpec.Flag("quiet", 'q', "Only display container IDs"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        var table = new Table("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES");
        foreach (Container container in context.Containers.List())
        {
            ContainerStatus status = context.Containers.Observe(container);
            if (!status.Running && !status.Restarting && !args.Has("all")) continue; // Docker counts a restarting one as running
            if (args.Has("quiet"))
            {
                context.Out.WriteLine(container.ShortId);
                continue;
            }
            table.Add(container.ShortId, container.Record.ImageName, Quote(container.Record.Args), HumanText.Ago(container.Record.Created),
                Status(status), container.Name);
        }
        if (!args.Has("quiet")) table.WriteTo(context.Out);
        return 0;
    }

    /// <summary>Docker's STATUS column; "Dead" when the runner vanished (SIGKILL) and nobody could record an exit.</summary>
    public static string Status(ContainerStatus status)
    {
        ContainerState state = status.State;
        return status.Status switch
        {
            StateStatus.Running => "Up " + HumanText.Duration(DateTimeOffset.UtcNow - (state.StartedAt ?? DateTimeOffset.UtcNow)) + (status.Paused ? " (Paused)" : ""),
            StateStatus.Restarting when state.FinishedAt is { } exited => $"Restarting ({state.ExitCode}) {HumanText.Ago(exited)}",
            StateStatus.Dead => status.Pid > 0 ? $"Dead (runner gone, PID {status.Pid} orphaned)" : "Dead (runner gone, no exit recorded)",
            StateStatus.Exited when state.FinishedAt is { } finished => $"Exited ({state.ExitCode}) {HumanText.Ago(finished)}",
            _ => "Created",
        };
    }

    /// <summary>Docker shows the command quoted and cut at 20 characters.</summary>
    private static string Quote(IReadOnlyList<string> args)
    {
        string command = string.Join(' ', args);
        return "\"" + (command.Length > 20 ? command[..19] + "…" : command) + "\"";
    }
}
