using System.Diagnostics;
using System.Globalization;
using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Containers;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Cli.Verbs;

/// <summary>
/// `stats [--no-stream] [--all] [CONTAINER...]`: docker stats' table, each row read from the container's cgroup (v1 or
/// v2). The CPU % is Docker's, from two readings a second apart (<see cref="StatsSample.CpuPercent"/>); the table is
/// drawn anew each second on a cleared screen until Ctrl-C, or once with --no-stream. Without names: the running
/// containers (all with --all) as they come and go. NET I/O is 0B / 0B: a container has the host's network or only lo.
/// </summary>
public sealed class StatsVerb : IVerb
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public string Name => "stats";
    public string Usage => "minirun stats [OPTIONS] [CONTAINER...]";
    public string Summary => "Display a live stream of containers' resource usage statistics (from their cgroups)";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("all", 'a', "Show all containers (default shows just running)"),
        OptionSpec.Flag("no-stream", null, "Disable streaming stats and only pull the first result"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        var named = new List<Container>();
        int status = 0;
        foreach (string name in args.Positionals)
        {
            try { named.Add(context.Containers.Resolve(name)); }
            catch (MiniRunException e)
            {
                ErrorPrinter.Print(e);
                status = 1;
            }
        }
        if (status != 0) return status; // as Docker: no table when a name is unknown
        ICgroupManager? cgroups = CgroupDetector.Detect();
        bool stream = !args.Has("no-stream");
        var previous = new Dictionary<string, StatsSample>(StringComparer.Ordinal);
        foreach (Container container in Shown(context, named, args.Has("all"))) previous[container.Id] = ContainerStats.Sample(context.Containers, container, cgroups);
        var clock = Stopwatch.StartNew();
        for (long tick = 1; ; tick++)
        {
            TimeSpan wait = Interval * tick - clock.Elapsed;
            if (wait > TimeSpan.Zero) Thread.Sleep(wait);
            var table = new Table("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
            var current = new Dictionary<string, StatsSample>(StringComparer.Ordinal);
            foreach (Container container in Shown(context, named, args.Has("all")))
            {
                StatsSample sample = current[container.Id] = ContainerStats.Sample(context.Containers, container, cgroups);
                double cpu = previous.TryGetValue(container.Id, out StatsSample? before) ? StatsSample.CpuPercent(before, sample) : 0;
                table.Add(container.ShortId, container.Name, Percent(cpu),
                    $"{HumanText.BinarySize(sample.Usage.MemoryBytes)} / {HumanText.BinarySize(sample.MemoryLimit)}", Percent(sample.MemoryPercent),
                    "0B / 0B", $"{HumanText.Size(sample.Usage.BlockRead)} / {HumanText.Size(sample.Usage.BlockWrite)}",
                    sample.Usage.Pids.ToString(CultureInfo.InvariantCulture));
            }
            if (stream) context.Out.Write("\u001b[2J\u001b[H"); // Docker's: clear the screen, cursor home
            table.WriteTo(context.Out);
            context.Out.Flush();
            if (!stream) return 0;
            previous = current;
        }
    }

    /// <summary>The named containers (each as it is now; one removed meanwhile drops out), or the running ones (all with --all).</summary>
    private static IEnumerable<Container> Shown(CliContext context, List<Container> named, bool all)
    {
        if (named.Count > 0) return named.Where(c => Directory.Exists(c.Directory));
        return context.Containers.List().Where(c => all || context.Containers.Observe(c).Running);
    }

    private static string Percent(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "%";
}
