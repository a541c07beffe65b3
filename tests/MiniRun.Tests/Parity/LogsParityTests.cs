using System.Globalization;
using System.Text.RegularExpressions;
using MiniRun.Fixtures;

namespace MiniRun.Tests.Parity;

/// <summary>
/// `logs` against the real Docker engine: the same command (lines on stdout and stderr, in two bursts 1.5 s apart)
/// run once under each, in the foreground, then read back with --tail, -t, --since and -f; each stream compared on
/// its own. Stream switches are 0.2 s apart, so that Docker, which reads the two pipes apart, logs them in one order.
/// </summary>
public sealed partial class LogsParityTests(LogsParityTests.Containers containers) : IClassFixture<LogsParityTests.Containers>
{
    private const string Script =
        "echo out-1; echo 'out 2 (with\ttab, é)'; echo; sleep 0.2; echo err-1 >&2; echo err-2 >&2; sleep 0.2; echo out-3; sleep 0.2; echo err-3 >&2; " +
        "sleep 1.5; echo out-4; sleep 0.2; echo err-4 >&2; sleep 0.2; echo out-5; printf out-last";

    /// <summary>`logs` of the container under both engines: (stdout, stderr) each.</summary>
    private ((string Out, string Err) Docker, (string Out, string Err) MiniRun) Logs(params string[] args)
    {
        ExternalCommand.Result docker = ExternalCommand.Run("docker", ["logs", .. args, containers.DockerName], TimeSpan.FromMinutes(1));
        Assert.True(docker.ExitCode == 0, docker.ToString());
        MiniRunCli.Result minirun = containers.Cli.Run(["logs", .. args, containers.MiniRunName]);
        Assert.True(minirun.ExitCode == 0, minirun.ToString());
        return ((docker.Stdout, docker.Stderr), (minirun.Stdout, minirun.Stderr));
    }

    private void AssertSameLogs(params string[] args)
    {
        var (docker, minirun) = Logs(args);
        Assert.Equal(docker.Out, minirun.Out);
        Assert.Equal(docker.Err, minirun.Err);
    }

    [DockerFact]
    public void Logs_EachStreamToItsOwn_SameTextAsDocker()
    {
        var (docker, _) = Logs();
        Assert.Equal("out-1\nout 2 (with\ttab, é)\n\nout-3\nout-4\nout-5\nout-last", docker.Out); // the command did what it says
        Assert.Equal("err-1\nerr-2\nerr-3\nerr-4\n", docker.Err);
        AssertSameLogs();
    }

    [DockerTheory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("4")]
    [InlineData("7")]
    [InlineData("100")]
    [InlineData("all")]
    [InlineData("-1")]
    public void Logs_Tail_SameLinesAsDocker(string count) => AssertSameLogs("--tail", count);

    [GeneratedRegex(@"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (.*)$", RegexOptions.Singleline)]
    private static partial Regex TimestampedLine();

    /// <summary>Each line of `logs -t` output as (time, text after the time and its space); the last may lack its "\n".</summary>
    private static List<(DateTimeOffset Time, string Text)> Timestamped(string output)
    {
        var lines = new List<(DateTimeOffset, string)>();
        foreach (string line in Regex.Split(output, "(?<=\n)").Where(l => l.Length > 0))
        {
            Match match = TimestampedLine().Match(line);
            Assert.True(match.Success, $"not an RFC 3339 time with nanoseconds, a space and the line: \"{line}\"");
            lines.Add((DateTimeOffset.Parse(match.Groups[1].Value[..27] + "Z", CultureInfo.InvariantCulture), match.Groups[2].Value));
        }
        return lines;
    }

    [DockerTheory]
    [InlineData("all")]
    [InlineData("3")]
    public void Logs_Timestamps_SameShapeAndTextAsDocker(string tail)
    {
        var (docker, minirun) = Logs("-t", "--tail", tail);
        Assert.Equal(Timestamped(docker.Out).Select(l => l.Text), Timestamped(minirun.Out).Select(l => l.Text));
        Assert.Equal(Timestamped(docker.Err).Select(l => l.Text), Timestamped(minirun.Err).Select(l => l.Text));
        // The time and one space before each line, and nothing else changed.
        var (dockerUntimed, minirunUntimed) = Logs("--tail", tail);
        Assert.Equal(dockerUntimed.Out, string.Concat(Timestamped(docker.Out).Select(l => l.Text)));
        Assert.Equal(minirunUntimed.Out, string.Concat(Timestamped(minirun.Out).Select(l => l.Text)));
        Assert.Equal(minirunUntimed.Err, string.Concat(Timestamped(minirun.Err).Select(l => l.Text)));
    }

    /// <summary>A time between the bursts of one engine's run: halfway from the first's last line to the second's first.</summary>
    private static DateTimeOffset BetweenTheBursts(string stdoutWithTimes, string stderrWithTimes)
    {
        List<(DateTimeOffset Time, string Text)> all = [.. Timestamped(stdoutWithTimes), .. Timestamped(stderrWithTimes)];
        DateTimeOffset lastOfFirst = all.Single(l => l.Text == "err-3\n").Time, firstOfSecond = all.Single(l => l.Text == "out-4\n").Time;
        Assert.True(firstOfSecond - lastOfFirst > TimeSpan.FromSeconds(1), $"the bursts are {firstOfSecond - lastOfFirst} apart");
        return lastOfFirst + (firstOfSecond - lastOfFirst) / 2;
    }

    [DockerTheory]
    [InlineData("rfc3339")]
    [InlineData("unix")]
    public void Logs_SinceATimeBetweenTheBursts_SameLinesAsDocker(string form)
    {
        var (docker, minirun) = Logs("-t");
        string Since(DateTimeOffset time) => form == "unix"
            ? $"{time.ToUnixTimeSeconds()}.{time.Ticks % TimeSpan.TicksPerSecond * 100:D9}"
            : time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture);
        var (dockerSince, _) = Logs("--since", Since(BetweenTheBursts(docker.Out, docker.Err)));
        var (_, minirunSince) = Logs("--since", Since(BetweenTheBursts(minirun.Out, minirun.Err)));

        Assert.Equal("out-4\nout-5\nout-last", dockerSince.Out);
        Assert.Equal("err-4\n", dockerSince.Err);
        Assert.Equal(dockerSince, minirunSince);
        // With --tail: the last lines first, then those of them since the time.
        var (dockerBoth, _) = Logs("--tail", "6", "--since", Since(BetweenTheBursts(docker.Out, docker.Err)));
        var (_, minirunBoth) = Logs("--tail", "6", "--since", Since(BetweenTheBursts(minirun.Out, minirun.Err)));
        Assert.Equal(dockerBoth, minirunBoth);
        var (dockerUntil, _) = Logs("--until", Since(BetweenTheBursts(docker.Out, docker.Err)));
        var (_, minirunUntil) = Logs("--until", Since(BetweenTheBursts(minirun.Out, minirun.Err)));
        Assert.Equal(("out-1\nout 2 (with\ttab, é)\n\nout-3\n", "err-1\nerr-2\nerr-3\n"), dockerUntil);
        Assert.Equal(dockerUntil, minirunUntil);
    }

    /// <summary>A line whose time is the bound itself is kept by --since and by --until alike (Docker drops only what is before or after).</summary>
    [DockerFact]
    public void Logs_SinceAndUntilAtALinesOwnTime_KeepThatLine_AsDocker()
    {
        var (docker, minirun) = Logs("-t");
        string TimeOf(string output, string text) => TimestampedLine().Match(Regex.Split(output, "(?<=\n)").Single(l => l.EndsWith(" " + text, StringComparison.Ordinal))).Groups[1].Value;

        var (dockerSince, _) = Logs("--since", TimeOf(docker.Out, "out-4\n"));
        var (_, minirunSince) = Logs("--since", TimeOf(minirun.Out, "out-4\n"));
        Assert.Equal(("out-4\nout-5\nout-last", "err-4\n"), dockerSince);
        Assert.Equal(dockerSince, minirunSince);

        var (dockerUntil, _) = Logs("--until", TimeOf(docker.Err, "err-3\n"));
        var (_, minirunUntil) = Logs("--until", TimeOf(minirun.Err, "err-3\n"));
        Assert.Equal(("out-1\nout 2 (with\ttab, é)\n\nout-3\n", "err-1\nerr-2\nerr-3\n"), dockerUntil);
        Assert.Equal(dockerUntil, minirunUntil);
    }

    [DockerFact]
    public void Logs_FollowOfAStoppedContainer_ReturnsWhatLogsPrints()
    {
        var (docker, minirun) = Logs("-f");
        var (dockerAll, minirunAll) = Logs();
        Assert.Equal(dockerAll, docker);
        Assert.Equal(minirunAll, minirun);
        Assert.Equal(docker, minirun);
    }

    /// <summary>
    /// The minibox image, loaded into Docker and into a store of minirun's, and the script run once in each, in the
    /// foreground with no network (as a user types it); made when a test first asks, removed at the end.
    /// </summary>
    public sealed class Containers : IDisposable
    {
        private readonly string _tag = Guid.NewGuid().ToString("N")[..12];
        private readonly Lazy<TempDirectory> _store = new(() => new TempDirectory("minirun-logs-parity"));
        private readonly Lazy<bool> _ran;

        public Containers() => _ran = new(Run);

        private string Image => $"minirun-logs-parity-{_tag}:test";

        public string DockerName => _ran.Value ? $"minirun-logs-{_tag}" : "";

        public string MiniRunName => _ran.Value ? "logs-parity" : "";

        public MiniRunCli Cli => new(_store.Value.Combine("store"));

        private bool Run()
        {
            string tar = _store.Value.Combine("minibox.tar");
            ParityImage.LoadMiniboxIntoBoth(Image, tar, Cli);
            // Both in the foreground, as a user runs them; the output shown is not what is compared: the log is.
            ExternalCommand.Result docker = ExternalCommand.Run("docker", ["run", "--name", $"minirun-logs-{_tag}", "--network", "none", Image, "sh", "-c", Script]);
            Assert.True(docker.ExitCode == 0, docker.ToString());
            Cli.RunOk("run", "--name", "logs-parity", "--network", "none", Image, "sh", "-c", Script);
            return true;
        }

        public void Dispose()
        {
            if (!_store.IsValueCreated) return;
            DockerEngine.TryDocker("rm", "-f", $"minirun-logs-{_tag}");
            DockerEngine.TryDocker("rmi", "-f", Image);
            Cli.Run("rm", "-f", "logs-parity");
            _store.Value.Dispose();
        }
    }
}
