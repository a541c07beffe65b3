using System.Globalization;
using System.Text;
using MiniRun.Cli.CommandLine;
using MiniRun.Containers;
using MiniRun.Containers.Logs;

namespace MiniRun.Cli.Verbs;

/// <summary>
/// `logs`, as `docker logs` reads a json-file log: each entry to stdout or stderr by the stream it came from, with -t
/// its time first, --tail the last N entries, then --since and --until on their times; -f keeps reading what is
/// appended until the container stops.
/// </summary>
public sealed class LogsVerb : IVerb
{
    public string Name => "logs";
    public string Usage => "minirun logs [OPTIONS] CONTAINER";
    public string Summary => "Print a container's output (stdout to stdout, stderr to stderr)";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("follow", 'f', "Keep printing new output until the container stops"),
        OptionSpec.Flag("timestamps", 't', "Print each line's time (RFC 3339, nanoseconds) before it"),
        OptionSpec.Value("tail", 'n', "N", "Only the last N lines (default: all)"),
        OptionSpec.Value("since", null, "TIME", "Only lines from this time on: 2026-12-02T05:23:46Z, Unix seconds, or a duration before now (10m)"),
        OptionSpec.Value("until", null, "TIME", "Only lines before this time (same forms)"),
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("What the container has printed", "minirun logs web"),
        new("Follow it, from its last 10 lines on", "minirun logs -f -n 10 web"),
        new("The last 5 minutes, with times", "minirun logs --since 5m -t web"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 1) throw UsageException.Arguments("\"minirun logs\" requires exactly 1 argument (see 'minirun logs --help')");
        int? tail = Tail(args.Get("tail"));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        DateTimeOffset? since = args.Get("since") is { } s ? LogTimes.ParseBound(s, now, "--since") : null;
        DateTimeOffset? until = args.Get("until") is { } u ? LogTimes.ParseBound(u, now, "--until") : null;
        Container container = context.Containers.Resolve(args.Positionals[0]);
        if (!File.Exists(container.LogPath)) return 0; // it has printed nothing yet, or printed to a terminal
        using var log = new FileStream(container.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var reader = new JsonLogReader(log);
        using var printer = new Printer(args.Has("timestamps"));
        bool first = true;
        while (true)
        {
            // Checked before the read, so output written just before the container stopped is not lost.
            bool running = args.Has("follow") && context.Containers.IsRunning(container);
            IEnumerable<LogEntry> entries = reader.ReadAvailable(atEnd: !running);
            if (first && tail is { } count) entries = Last(entries, count);
            first = false;
            foreach (LogEntry entry in entries)
                if (Selected(entry, since, until)) printer.Print(entry);
            printer.Flush();
            if (!running) return 0;
            Thread.Sleep(100);
        }
    }

    /// <summary>--tail: a count, or "all" (a negative count too, as Docker reads it).</summary>
    private static int? Tail(string? value) =>
        value is null or "all" ? null
        : int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n < 0 ? null : n
        : throw new UsageException($"invalid value \"{value}\" for --tail: a number of lines or \"all\"");

    private static IEnumerable<LogEntry> Last(IEnumerable<LogEntry> entries, int count)
    {
        var last = new Queue<LogEntry>();
        foreach (LogEntry entry in entries)
        {
            last.Enqueue(entry);
            if (last.Count > count) last.Dequeue();
        }
        return last;
    }

    /// <summary>A raw line (an older log) has no time: it is kept. A line at either bound's very time is kept, as Docker
    /// drops only what is before --since or after --until (moby's json-file reader).</summary>
    private static bool Selected(LogEntry entry, DateTimeOffset? since, DateTimeOffset? until)
    {
        if ((since is null && until is null) || entry.Time is null || !LogTimes.TryParse(entry.Time, out DateTimeOffset time)) return true;
        return (since is null || time >= since) && (until is null || time <= until);
    }

    /// <summary>Buffered stdout and stderr; one is flushed before the other is written, so a terminal shows them in order.</summary>
    private sealed class Printer(bool timestamps) : IDisposable
    {
        private readonly BufferedStream _stdout = new(Console.OpenStandardOutput(), 64 * 1024);
        private readonly BufferedStream _stderr = new(Console.OpenStandardError(), 64 * 1024);
        private BufferedStream? _last;

        public void Print(LogEntry entry)
        {
            BufferedStream target = entry.Stream == LogStream.Stderr ? _stderr : _stdout;
            if (_last is not null && _last != target) _last.Flush();
            _last = target;
            if (timestamps && entry.Time is not null)
            {
                target.Write(Encoding.UTF8.GetBytes(entry.Time));
                target.WriteByte((byte)' ');
            }
            target.Write(entry.Content);
        }

        public void Flush()
        {
            _stdout.Flush();
            _stderr.Flush();
        }

        public void Dispose()
        {
            _stdout.Dispose();
            _stderr.Dispose();
        }
    }
}
