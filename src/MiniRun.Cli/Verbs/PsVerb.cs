using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Cli.Output.Templates;
using MiniRun.Containers;
using MiniRun.Store.Maintenance;

namespace MiniRun.Cli.Verbs;

public sealed class PsVerb : IVerb
{
    public string Name => "ps";
    public string Usage => "minirun ps [-a] [-q] [-n N|-l] [-s] [--no-trunc] [-f FILTER]... [--format FORMAT]";
    public string Summary => "List containers";
    public VerbGroup Group => VerbGroup.Common;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("all", 'a', "Show all containers (default shows just running)"),
        OptionSpec.Flag("quiet", 'q', "Only display container IDs"),
        OptionSpec.Value("last", 'n', "N", "Show the N last created containers (all states)"),
        OptionSpec.Flag("latest", 'l', "Show the latest created container (all states)"),
        OptionSpec.Flag("size", 's', "Display total file sizes"),
        OptionSpec.Flag("no-trunc", null, "Don't truncate output"),
        OptionSpec.Value("filter", 'f', "FILTER", "Filter output: status=, name=, id=, ancestor=, label=KEY[=VALUE], exited=, before=, since=, volume= (repeatable)"),
        OptionSpec.Value("format", null, "FORMAT", "Format output: table, table TEMPLATE, json, or a Go template ({{.ID}} {{.Names}} {{.Status}})"),
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("Every container, running or not", "minirun ps -a"),
        new("Only the IDs, for scripts", "minirun ps -aq"),
        new("A table of names and states", "minirun ps -a --format 'table {{.Names}}\\t{{.Status}}'"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        string? lastText = args.Get("last");
        int last = -1;
        if (lastText is not null && !int.TryParse(lastText, out last))
            throw new UsageException($"invalid argument \"{lastText}\" for \"-n, --last\" flag: not a number (see 'minirun ps --help')");
        if (args.Has("latest") && last == -1) last = 1;
        bool all = args.Has("all") || last > 0; // Docker: -n and -l count every state
        bool truncate = !args.Has("no-trunc");
        string? format = args.Get("format");
        bool quiet = args.Has("quiet");
        if (quiet && !string.IsNullOrEmpty(format)) ErrorPrinter.Print("warning: ignoring custom format, because both --format and --quiet are set");

        RowFormat? rows = null;
        if (!quiet)
        {
            try
            {
                rows = RowFormat.Parse(format, ContainerRow.DefaultTable + (args.Has("size") ? "\t{{.Size}}" : ""), ContainerRow.GoType);
            }
            catch (TemplateException e)
            {
                ErrorPrinter.Print("failed to parse template: " + e.Message);
                return 1;
            }
        }
        bool sizes = args.Has("size") || (format?.Contains(".Size", StringComparison.Ordinal) ?? false);
        IReadOnlyList<Container> containers = context.Containers.List();
        // A filter Docker's daemon refuses (FilterException) fails the verb with its status, 1, as Program runs every verb.
        List<(Container Container, ContainerStatus Status)> chosen =
            ContainerFilter.Parse(args.GetAll("filter"), containers, context.Images).Select(containers, context.Containers.Observe, all, last);
        if (rows is null)
        {
            foreach (var (container, _) in chosen) context.Out.WriteLine(truncate ? container.ShortId : container.Record.Id);
            return 0;
        }
        try
        {
            context.Out.Write(rows.Render(chosen.Select(c => ContainerRow.Of(c.Container, c.Status, truncate, sizes ? Size(c.Container, context) : null)),
                ContainerRow.Headers));
        }
        catch (TemplateException e)
        {
            ErrorPrinter.Print("failed to execute template: " + e.Message);
            return 1;
        }
        return 0;
    }

    /// <summary>Docker's SIZE: the writable layer, then the image beneath it as "virtual".</summary>
    private static string Size(Container container, CliContext context)
    {
        long upper = context.Snapshotter.WritableSize(container);
        long image = context.Images.TryResolve(container.Record.ImageId)?.Size ?? 0;
        return $"{HumanText.Size(upper)} (virtual {HumanText.Size(upper + image)})";
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
}
