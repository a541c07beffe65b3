using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Store.Maintenance;

namespace MiniRun.Cli.Verbs;

public sealed class SystemVerb : IVerb
{
    public string Name => "system";
    public string Usage => "minirun system df|prune|check [--repair]";
    public string Summary => "df: space used; prune: remove what is unused or left by a crash; check: verify the store (--repair fixes)";
    public VerbGroup Group => VerbGroup.Management;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("force", 'f', "Accepted for Docker compatibility: prune never asks"),
        OptionSpec.Flag("repair", null, "check: fix what can be fixed (remove crash leftovers, stop abandoned containers)"),
    ];

    public IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("The space images, containers and volumes take", "minirun system df"),
        new("Remove what nothing uses, and what a crash left behind", "minirun system prune"),
        new("Verify the store, and fix what can be fixed", "minirun system check --repair"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        switch (args.Positionals.FirstOrDefault())
        {
            case "df":
                return Df(context);
            case "prune":
                return Prune(context);
            case "check":
                return Check(context, args.Has("repair"));
            default:
                throw new UsageException("\"minirun system\" requires a subcommand: df, prune or check (see 'minirun system --help')");
        }
    }

    private static int Df(CliContext context)
    {
        (List<UsageRow> rows, long savings) = new StoreUsage(context.Images, context.Containers).Measure();
        var table = new Table("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
        foreach (UsageRow row in rows)
            table.Add(row.Type, row.Total.ToString(), row.Active.ToString(), HumanText.Size(row.Size),
                $"{HumanText.Size(row.Reclaimable)} ({(row.Size == 0 ? 0 : 100 * row.Reclaimable / row.Size)}%)");
        table.WriteTo(context.Out);
        context.Out.WriteLine($"\nShared layers save {HumanText.Size(savings)}: the images' sizes add up to {HumanText.Size(rows[0].Size + savings)}, their layers are stored once.");
        return 0;
    }

    private static int Prune(CliContext context)
    {
        PruneReport report = new StorePruner(context.Images, context.Containers).Prune();
        Section(context, "Deleted Containers:", report.Containers);
        Section(context, "Deleted Images:", report.Images.Select(i => "deleted: " + i));
        Section(context, "Deleted Layers:", report.Layers);
        Section(context, "Recovered from crashes:", report.Recovered);
        context.Out.WriteLine($"Total reclaimed space: {HumanText.Size(report.ReclaimedBytes)}");
        foreach (string left in report.Left) Console.Error.WriteLine("minirun: left in place: " + left);
        return report.Left.Count == 0 ? 0 : 1;
    }

    /// <summary>Exit 0 when the store is sound (or every finding was repaired), 1 when something is still wrong.</summary>
    private static int Check(CliContext context, bool repair)
    {
        StoreCheckReport report = new StoreChecker(context.Images, context.Containers, repair).Check();
        foreach (StoreFinding finding in report.Findings)
            context.Out.WriteLine(finding.Repair is null ? $"problem: {finding.Problem}" : $"{(finding.Repaired ? "repaired" : "problem")}: {finding.Problem}: {finding.Repair}");
        int open = report.Findings.Count(f => !f.Repaired);
        context.Out.WriteLine($"checked store format {report.Format}, {report.Layers} layers, {report.Images} images, {report.Containers} containers: " +
            (report.Findings.Count == 0 ? "ok" : $"{report.Findings.Count} problems, {report.Findings.Count - open} repaired"));
        return report.Healthy ? 0 : 1;
    }

    private static void Section(CliContext context, string title, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        if (list.Count == 0) return;
        context.Out.WriteLine(title);
        foreach (string line in list) context.Out.WriteLine(line);
        context.Out.WriteLine();
    }
}
