using MiniRun.Cli.CommandLine;
using MiniRun.Explain;
using MiniRun.Images;

namespace MiniRun.Cli.Verbs;

public sealed class LoadVerb : IVerb
{
    public string Name => "load";
    public string Usage => "minirun load -i PATH [--tag NAME:TAG]";
    public string Summary => "Load an image from a docker-save tar, an OCI layout directory or an OCI archive";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("input", 'i', "PATH", "The tar archive or OCI layout directory to read"),
        OptionSpec.Value("tag", null, "NAME:TAG", "Name the image (required when the source names none)"),
        OptionSpec.Flag("quiet", 'q', "Print nothing"),
        OptionSpec.Flag("explain", null, "Narrate the unpacking on stderr: tar -x, whiteouts as mknod/setfattr, the publishing rename"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        string input = args.Get("input") ?? args.Positionals.FirstOrDefault()
            ?? throw new UsageException("\"minirun load\" requires -i PATH (see 'minirun load --help')");
        if (args.Has("explain")) context.Syscalls = new NarratingSyscalls(context.Syscalls, Console.Error);
        IReadOnlyList<ImageRecord> images = new ImageLoader(context.Images).Load(input, args.Get("tag"));
        if (!args.Has("quiet"))
            foreach (ImageRecord image in images)
            {
                if (image.Names.Count == 0) context.Out.WriteLine($"Loaded image ID: {image.Id}");
                foreach (string name in image.Names) context.Out.WriteLine($"Loaded image: {ImageReference.Parse(name).FamiliarString}");
            }
        return 0;
    }
}
