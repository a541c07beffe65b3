using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;

namespace MiniRun.Cli.Verbs;

public sealed class SystemVerb : IVerb
{
    public string Name => "system";
    public string Usage => "minirun system df|prune";
    public string Summary => "df: space used by images, containers, layers; prune: remove what is unused or left by a crash";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("force", 'f', "Accepted for Docker compatibility: prune never asks"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        switch (args.Positionals.FirstOrDefault())
        {
            case "df":
                return Df(context);
            case "prune":
                return Prune(context);
            default:
                throw new UsageException("\"minirun system\" requires a subcommand: df or prune (see 'minirun system --help')");
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
        return 0;
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
