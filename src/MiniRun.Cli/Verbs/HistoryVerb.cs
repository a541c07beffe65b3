using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Cli.Output.Templates;
using MiniRun.Images;

namespace MiniRun.Cli.Verbs;

public sealed class HistoryVerb : IVerb
{
    public string Name => "history";
    public string Usage => "minirun history [-q] [--no-trunc] [--format FORMAT] IMAGE";
    public string Summary => "Show an image's history: one row per step, newest first, with the size of the layer it made";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("quiet", 'q', "Only show image IDs"),
        OptionSpec.Flag("no-trunc", null, "Don't truncate output"),
        OptionSpec.Value("format", null, "FORMAT", "Format output: table, table TEMPLATE, json, or a Go template ({{.ID}} {{.CreatedBy}} {{.Size}})"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 1) throw UsageException.Arguments("\"minirun history\" requires exactly 1 argument (see 'minirun history --help')");
        bool truncate = !args.Has("no-trunc");
        string? format = args.Get("format");
        if (args.Has("quiet") && (string.IsNullOrEmpty(format) || format == "table")) format = "{{.ID}}"; // as `images -q`
        ImageRecord image = context.Images.Resolve(args.Positionals[0]);
        List<HistoryEntry> history = image.Config.History ?? [];
        // Without history, one row per layer; with it, non-empty entries map to the layers in order (image-spec config.md).
        if (history.Count == 0) history = image.DiffIds.Select(_ => new HistoryEntry { Created = image.Config.Created }).ToList();
        var steps = new List<(HistoryEntry Entry, long Size)>();
        int layer = 0;
        foreach (HistoryEntry entry in history)
        {
            long size = 0;
            if (entry.EmptyLayer != true && layer < image.DiffIds.Count) size = context.Layers.TryGet(image.DiffIds[layer++])?.Size ?? 0;
            steps.Add((entry, size));
        }
        steps.Reverse();
        // Only the newest step is known to be this image; the others' images are not in the store ("<missing>").
        var rows = steps.Select((s, i) => HistoryRow.Of(i == 0 ? image.Id.ToString() : "<missing>", s.Entry.Created, s.Entry.CreatedBy ?? "", s.Size,
            s.Entry.Comment ?? "", truncate));
        try
        {
            context.Out.Write(RowFormat.Parse(format, HistoryRow.DefaultTable, HistoryRow.GoType).Render(rows, HistoryRow.Headers));
        }
        catch (TemplateException e)
        {
            ErrorPrinter.Print("template parsing error: " + e.Message);
            return 1;
        }
        return 0;
    }
}
