using MiniRun.Cli.CommandLine;
using MiniRun.Images;

namespace MiniRun.Cli.Verbs;

public sealed class ImportVerb : IVerb
{
    public string Name => "import";
    public string Usage => "minirun import FILE NAME[:TAG]";
    public string Summary => "Import a flat root filesystem tar (docker export, Alpine minirootfs) as a one-layer image";
    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 2) throw new UsageException("\"minirun import\" requires exactly 2 arguments: FILE NAME[:TAG] (see 'minirun import --help')");
        ImageRecord image = new ImageLoader(context.Images).Import(args.Positionals[0], args.Positionals[1]);
        context.Out.WriteLine(image.Id);
        return 0;
    }
}
