using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Images;

namespace MiniRun.Cli.Verbs;

public sealed class SaveVerb : IVerb
{
    public string Name => "save";
    public string Usage => "minirun save [-o FILE] [--format docker|oci] IMAGE [IMAGE...]";
    public string Summary => "Write images to a tar that `docker load` (or any OCI tool) reads";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("output", 'o', "FILE", "Write to a file instead of stdout"),
        OptionSpec.Value("format", null, "docker|oci", "docker: OCI layout + manifest.json, as docker save (default); oci: the OCI layout alone"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count == 0) throw UsageException.Arguments("\"minirun save\" requires at least 1 argument (see 'minirun save --help')");
        SaveFormat format = args.Get("format") switch
        {
            null or "docker" => SaveFormat.Docker,
            "oci" => SaveFormat.Oci,
            string other => throw new UsageException($"--format {other}: only \"docker\" and \"oci\" are supported"),
        };
        foreach (string reference in args.Positionals) context.Images.Resolve(reference); // fail before writing anything
        OutputFile.Write(args.Get("output"), stream => new ImageSaver(context.Images).Save(args.Positionals, format, stream));
        return 0;
    }
}
