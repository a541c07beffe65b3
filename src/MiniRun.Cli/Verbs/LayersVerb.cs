using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Images;
using MiniRun.Layers;

namespace MiniRun.Cli.Verbs;

/// <summary>`minirun layers IMAGE [--path P]`: each layer, top first, and what it adds, changes and deletes.</summary>
public sealed class LayersVerb : IVerb
{
    public string Name => "layers";
    public string Usage => "minirun layers IMAGE [--path PATH]";
    public string Summary => "Show an image's layers, top first: size, the step that made it, the paths it adds, changes, deletes";
    public VerbGroup Group => VerbGroup.MiniRun;
    public int FailureStatus => 125;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("path", null, "PATH", "Only say which layer the visible PATH comes from"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 1) throw new UsageException("\"minirun layers\" requires exactly 1 argument (see 'minirun layers --help')");
        ImageRecord image = context.Images.Resolve(args.Positionals[0]);
        List<Layer> bottomFirst = image.DiffIds.Select(context.Layers.Get).ToList();
        List<string> createdBy = CreatedBy(image);
        if (args.Get("path") is { } path)
        {
            List<string> topFirst = bottomFirst.Select(l => l.DiffPath).Reverse().ToList();
            int? found = LayerContents.VisibleFrom(topFirst, path, out string? hiddenBy);
            if (found is not { } index) throw new NotFoundException($"{path} is in no layer of {args.Positionals[0]}");
            int number = bottomFirst.Count - index;
            string header = Header(bottomFirst[number - 1], number, bottomFirst.Count, createdBy[number - 1]);
            context.Out.WriteLine(hiddenBy is null ? $"{path} comes from {header}" : $"{path} is not visible: {hiddenBy}: {header}");
            return 0;
        }
        for (int number = bottomFirst.Count; number >= 1; number--)
        {
            Layer layer = bottomFirst[number - 1];
            context.Out.WriteLine(Header(layer, number, bottomFirst.Count, createdBy[number - 1]));
            List<string> below = bottomFirst.Take(number - 1).Select(l => l.DiffPath).ToList();
            foreach (LayerChange change in LayerContents.Changes(layer.DiffPath, below))
                context.Out.WriteLine($"  {change.Letter} {change.Path}{Note(change.Kind)}");
        }
        return 0;
    }

    private static string Header(Layer layer, int number, int count, string createdBy) =>
        $"layer {number}/{count} {layer.DiffId.ToString()[..19]} {layer.ShortLink} {HumanText.Size(layer.Size)}" +
        (createdBy.Length > 0 ? $" created by: {createdBy}" : "");

    private static string Note(LayerChangeKind kind) => kind switch
    {
        LayerChangeKind.Deleted => "  (whiteout)",
        LayerChangeKind.Opaque => "  (opaque: hides the layers below)",
        _ => "",
    };

    /// <summary>The history step of each layer, bottom first (image-spec config.md: non-empty entries map to layers in order).</summary>
    private static List<string> CreatedBy(ImageRecord image)
    {
        var result = new List<string>();
        foreach (HistoryEntry entry in image.Config.History ?? [])
            if (entry.EmptyLayer != true) result.Add(entry.CreatedBy ?? "");
        while (result.Count < image.DiffIds.Count) result.Add("");
        return result;
    }
}
