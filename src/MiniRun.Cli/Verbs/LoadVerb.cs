using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Explain;
using MiniRun.Images;

namespace MiniRun.Cli.Verbs;

public sealed class LoadVerb : IVerb
{
    public string Name => "load";
    public string Usage => "minirun load [-i PATH] [--tag NAME:TAG]";
    public string Summary => "Load an image from a docker-save tar, an OCI layout directory or an OCI archive (stdin by default)";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("input", 'i', "PATH", "The tar archive or OCI layout directory to read (- or none: stdin)"),
        OptionSpec.Value("tag", null, "NAME:TAG", "Name the image (required when the source names none)"),
        OptionSpec.Flag("quiet", 'q', "Print nothing"),
        OptionSpec.Flag("explain", null, "Narrate the unpacking on stderr: tar -x, whiteouts as mknod/setfattr, the publishing rename"),
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("Load an image saved by docker save (or minirun save)", "minirun load -i alpine.tar"),
        new("From a pipe", "docker save alpine | minirun load"),
        new("Narrate the unpacking as tar, mknod and setfattr commands", "minirun load --explain -i alpine.tar"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        string input = args.Get("input") ?? args.Positionals.FirstOrDefault() ?? "-";
        bool quiet = args.Has("quiet");
        if (input == "-" && !Console.IsInputRedirected)
            return LoadImportFailure.Print("requested load from stdin, but stdin is a terminal: pipe an archive in (minirun load < image.tar) or give -i PATH");
        if (args.Has("explain")) context.Syscalls = new NarratingSyscalls(context.Syscalls, Console.Error);
        // Progress only on a terminal: on a pipe the output stays what scripts read ("Loaded image: …" lines), as docker's.
        LoadProgressPrinter? progress = quiet || Console.IsOutputRedirected ? null : new LoadProgressPrinter(context.Out);
        var loader = new ImageLoader(context.Images)
        {
            LayerRead = progress is null ? null : (layer, read, total) => progress.Report(ShortId(layer), read, total),
            LayerAdded = progress is null ? null : layer => progress.Complete(ShortId(layer)),
        };
        IReadOnlyList<ImageRecord> images;
        try
        {
            if (input != "-") images = loader.Load(input, args.Get("tag"));
            else
            {
                using Stream stdin = OpenStandardInput();
                images = loader.Load(stdin, "stdin", args.Get("tag"));
            }
        }
        catch (Exception e) when (LoadImportFailure.IsFailure(e))
        {
            return LoadImportFailure.Print(e);
        }
        if (!quiet)
            foreach (ImageRecord image in images)
            {
                if (image.Names.Count == 0) context.Out.WriteLine($"Loaded image ID: {image.Id}");
                foreach (string name in image.Names) context.Out.WriteLine($"Loaded image: {ImageReference.Parse(name).FamiliarString}");
            }
        return 0;
    }

    /// <summary>Descriptor 0 as a file stream, seekable when it is a file (then loaded in place), not closed when disposed.</summary>
    private static FileStream OpenStandardInput() => new(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false), FileAccess.Read, bufferSize: 0);

    private static string ShortId(LayerSource layer) => layer.DiffId.Hex[..12];
}
