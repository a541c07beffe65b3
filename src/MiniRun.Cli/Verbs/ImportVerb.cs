using MiniRun.Cli.CommandLine;
using MiniRun.Images;

namespace MiniRun.Cli.Verbs;

public sealed class ImportVerb : IVerb
{
    public string Name => "import";
    public string Usage => "minirun import FILE|- [NAME[:TAG]]";
    public string Summary => "Import a flat root filesystem tar (docker export, Alpine minirootfs; - reads stdin) as a one-layer image";
    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("An Alpine minirootfs as the image alpine:mini", "minirun import alpine-minirootfs-3.20.0-x86_64.tar.gz alpine:mini"),
        new("A container exported by Docker, through a pipe", "docker export web | minirun import - web:snapshot"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count is < 1 or > 2)
            throw UsageException.Arguments("\"minirun import\" requires 1 or 2 arguments: FILE|- [NAME[:TAG]] (see 'minirun import --help')");
        string file = args.Positionals[0];
        string? name = args.Positionals.Count == 2 ? args.Positionals[1] : null;
        ImageRecord image;
        try
        {
            if (file != "-") image = new ImageLoader(context.Images).Import(file, name);
            else
            {
                using Stream stdin = Console.OpenStandardInput();
                image = new ImageLoader(context.Images).Import(stdin, "stdin", name);
            }
        }
        catch (Exception e) when (LoadImportFailure.IsFailure(e))
        {
            return LoadImportFailure.Print(e);
        }
        context.Out.WriteLine(image.Id);
        return 0;
    }
}
