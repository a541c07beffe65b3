using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Images;

namespace MiniRun.Cli.Verbs;

public sealed class ImagesVerb : IVerb
{
    public string Name => "images";
    public string Usage => "minirun images [-q]";
    public string Summary => "List images";
    public VerbGroup Group => VerbGroup.Common;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("quiet", 'q', "Only show image IDs"),
    ];

    public IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("List the images", "minirun images"),
        new("Only their IDs", "minirun images -q"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        IReadOnlyList<ImageRecord> images = context.Images.List();
        if (args.Has("quiet"))
        {
            foreach (ImageRecord image in images) context.Out.WriteLine(image.ShortId);
            return 0;
        }
        var table = new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
        foreach (ImageRecord image in images)
        {
            string created = image.Config.Created is { } c ? HumanText.Ago(c) : "N/A";
            string size = HumanText.Size(image.Size);
            if (image.Names.Count == 0) table.Add("<none>", "<none>", image.ShortId, created, size);
            foreach (string name in image.Names)
            {
                ImageReference reference = ImageReference.Parse(name);
                table.Add(reference.FamiliarRepository, reference.Tag ?? "<none>", image.ShortId, created, size);
            }
        }
        table.WriteTo(context.Out);
        return 0;
    }
}
