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
            ContainerState state = context.Containers.ReadState(container);
            bool running = context.Containers.IsRunning(container);
            if (!running && !args.Has("all")) continue;
            if (args.Has("quiet"))
            {
                context.Out.WriteLine(container.ShortId);
                continue;
            }
            table.Add(container.ShortId, container.Record.ImageName, Quote(container.Record.Args), HumanText.Ago(container.Record.Created),
                Status(state, running), container.Name);
        }
        if (!args.Has("quiet")) table.WriteTo(context.Out);
        return 0;
    }

    public static string Status(ContainerState state, bool running) => running
        ? "Up " + HumanText.Duration(DateTimeOffset.UtcNow - (state.StartedAt ?? DateTimeOffset.UtcNow))
        : state.Status == "exited" && state.FinishedAt is { } finished
            ? $"Exited ({state.ExitCode}) {HumanText.Ago(finished)}"
            : "Created";

    /// <summary>Docker shows the command quoted and cut at 20 characters.</summary>
    private static string Quote(IReadOnlyList<string> args)
    {
        string command = string.Join(' ', args);
        return "\"" + (command.Length > 20 ? command[..19] + "…" : command) + "\"";
    }
}
