using System.Text.Json;
using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Cli.Output.Templates;
using MiniRun.Images;

namespace MiniRun.Cli.Verbs;

public sealed class ImagesVerb : IVerb
{
    public string Name => "images";
    public string Usage => "minirun images [-a] [-q] [--digests] [--no-trunc] [-f FILTER]... [--format FORMAT] [REPOSITORY[:TAG]]";
    public string Summary => "List images";
    public VerbGroup Group => VerbGroup.Common;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("all", 'a', "Show all images (default hides untagged images that others are built on)"),
        OptionSpec.Flag("quiet", 'q', "Only show image IDs"),
        OptionSpec.Flag("digests", null, "Show digests"),
        OptionSpec.Flag("no-trunc", null, "Don't truncate output"),
        OptionSpec.Value("filter", 'f', "FILTER", "Filter output: dangling=true|false, label=KEY[=VALUE], before=, since=, reference=GLOB (repeatable)"),
        OptionSpec.Value("format", null, "FORMAT", "Format output: table, table TEMPLATE, json, or a Go template ({{.ID}} {{.Repository}} {{.Tag}} {{.Size}})"),
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("List the images", "minirun images"),
        new("Only their IDs", "minirun images -q"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count > 1) throw UsageException.Arguments("\"minirun images\" requires at most 1 argument (see 'minirun images --help')");
        bool digests = args.Has("digests"), truncate = !args.Has("no-trunc");
        string? format = args.Get("format");
        // Docker: -q replaces the table, not a template of the user's.
        if (args.Has("quiet") && (string.IsNullOrEmpty(format) || format == "table")) format = "{{.ID}}";
        // A filter Docker's daemon refuses (FilterException) fails the verb with its status, 1, as Program runs every verb.
        List<(ImageRecord Image, IReadOnlyList<ImageReference> Names)> images =
            ImageFilter.Parse(args.GetAll("filter"), args.Positionals.FirstOrDefault(), context.Images).Select(context.Images.List(), args.Has("all"));
        try
        {
            RowFormat rows = RowFormat.Parse(format, digests ? ImageRow.DigestsTable : ImageRow.DefaultTable, ImageRow.GoType);
            context.Out.Write(rows.Render(images.SelectMany(i => Rows(i.Image, i.Names, digests, truncate)), ImageRow.Headers));
        }
        catch (TemplateException e)
        {
            ErrorPrinter.Print("template parsing error: " + e.Message);
            return 1;
        }
        return 0;
    }

    /// <summary>
    /// An image's rows as the Docker CLI makes them (formatter.imageFormatTaggedAndDigest): one per repository and tag,
    /// one per digest of that repository with --digests, a repository known only by digest as tag &lt;none&gt;.
    /// </summary>
    private static IEnumerable<JsonElement> Rows(ImageRecord image, IReadOnlyList<ImageReference> names, bool digests, bool truncate)
    {
        if (names.Count == 0)
        {
            yield return ImageRow.Of(image, "<none>", "<none>", "<none>", truncate);
            yield break;
        }
        foreach (var repository in names.GroupBy(n => n.FamiliarRepository).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            List<string> repositoryDigests = repository.Where(n => !n.IsTagged && n.Digest is not null).Select(n => n.Digest!.Value.ToString()).ToList();
            List<string> tags = repository.Where(n => n.IsTagged).Select(n => n.Tag!).ToList();
            foreach (string tag in tags)
                if (!digests || repositoryDigests.Count == 0) yield return ImageRow.Of(image, repository.Key, tag, "<none>", truncate);
                else foreach (string digest in repositoryDigests) yield return ImageRow.Of(image, repository.Key, tag, digest, truncate);
            if (tags.Count > 0) continue;
            if (!digests) yield return ImageRow.Of(image, repository.Key, "<none>", "", truncate);
            else foreach (string digest in repositoryDigests) yield return ImageRow.Of(image, repository.Key, "<none>", digest, truncate);
        }
    }
}
