using MiniRun.Cli.CommandLine;
using MiniRun.Containers;

namespace MiniRun.Cli.Verbs;

public sealed class LogsVerb : IVerb
{
    public string Name => "logs";
    public string Usage => "minirun logs [-f] CONTAINER";
    public string Summary => "Print a detached container's output (stdout and stderr, as written)";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("follow", 'f', "Keep printing new output until the container stops"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 1) throw new UsageException("\"minirun logs\" requires exactly 1 argument (see 'minirun logs --help')");
        Container container = context.Containers.Resolve(args.Positionals[0]);
        if (!File.Exists(container.LogPath)) return 0; // a foreground container's output went to its terminal
        using var log = new FileStream(container.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using Stream stdout = Console.OpenStandardOutput();
        while (true)
        {
            // Checked before the copy, so output written just before the container stopped is not lost.
            bool running = args.Has("follow") && context.Containers.IsRunning(container);
            log.CopyTo(stdout);
            stdout.Flush();
            if (!running) return 0;
            Thread.Sleep(100);
        }
    }
}
