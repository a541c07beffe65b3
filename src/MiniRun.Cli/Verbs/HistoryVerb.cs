using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Images;

namespace MiniRun.Cli.Verbs;

public sealed class HistoryVerb : IVerb
{
    public string Name => "history";
    public string Usage => "minirun history IMAGE";
    public string Summary => "Show an image's history: one row per step, newest first, with the size of the layer it made";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("no-trunc", null, "Do not shorten CREATED BY"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 1) throw UsageException.Arguments("\"minirun history\" requires exactly 1 argument (see 'minirun history --help')");
        ImageRecord image = context.Images.Resolve(args.Positionals[0]);
        List<HistoryEntry> history = image.Config.History ?? [];
        // Without history, one row per layer; with it, non-empty entries map to the layers in order (image-spec config.md).
        if (history.Count == 0) history = image.DiffIds.Select(_ => new HistoryEntry { Created = image.Config.Created }).ToList();
        var rows = new List<string[]>();
        int layer = 0;
        foreach (HistoryEntry entry in history)
        {
            long size = 0;
            if (entry.EmptyLayer != true && layer < image.DiffIds.Count) size = context.Layers.TryGet(image.DiffIds[layer++])?.Size ?? 0;
            string createdBy = entry.CreatedBy ?? "";
            if (!args.Has("no-trunc") && createdBy.Length > 45) createdBy = createdBy[..44] + "…";
            rows.Add(["", entry.Created is { } c ? HumanText.Ago(c) : "N/A", createdBy, HumanText.Size(size), entry.Comment ?? ""]);
        }
        rows.Reverse();
        if (rows.Count > 0) rows[0][0] = image.ShortId;
        var table = new Table("IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
        foreach (string[] row in rows) table.Add(row[0].Length > 0 ? row[0] : "<missing>", row[1], row[2], row[3], row[4]);
        table.WriteTo(context.Out);
        return 0;
    }
}
