using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Images;
using MiniRun.Images.Registry;

namespace MiniRun.Cli.Verbs;

public sealed class PullVerb : IVerb
{
    public string Name => "pull";
    public string Usage => "minirun pull [OPTIONS] NAME[:TAG|@DIGEST]";
    public string Summary => "Download an image from a registry";
    public VerbGroup Group => VerbGroup.Common;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        PullOptionsParser.Platform,
        PullOptionsParser.InsecureRegistry,
        OptionSpec.Flag("quiet", 'q', "Print only the image's name"),
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("Pull an image", "minirun pull alpine:3.20"),
        new("Another architecture's image of a multi-platform one", "minirun pull --platform linux/arm64 alpine"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 1) throw UsageException.Arguments("\"minirun pull\" requires exactly 1 argument: NAME[:TAG|@DIGEST] (see 'minirun pull --help')");
        ImageReference reference = ImageReference.Parse(args.Positionals[0]);
        bool quiet = args.Has("quiet");
        TextWriter output = context.Out;
        if (!quiet) output.WriteLine(reference.Tag is { } tag && reference.Digest is null ? $"{tag}: Pulling from {reference.FamiliarRepository}" : $"Pulling {reference.FamiliarString}");
        PullOptions options = PullOptionsParser.Create(args, () => new PullProgressPrinter(output, !Console.IsOutputRedirected), quiet);
        PullResult result = new ImagePuller(context.Images, options).Pull(reference);
        if (!quiet)
        {
            output.WriteLine($"Digest: {result.ManifestDigest}");
            output.WriteLine($"Status: {(result.WasNew ? "Downloaded newer image" : "Image is up to date")} for {reference.FamiliarString}");
        }
        output.WriteLine(reference.ToString());
        return 0;
    }
}
