using System.Text;
using System.Text.Json;

namespace MiniRun.Tests.Containers;

/// <summary>
/// Container output through pipes into Docker's json-file log: the container has no descriptor of the log (it cannot
/// rewrite its history), stdout and stderr stay apart, and `logs` reads it back with -t, --tail, --since, --until.
/// </summary>
public class LogsTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    private string RunDetachedToExit(params string[] args)
    {
        MiniRunCli.Result run = Cli.Run(["run", "-d", .. args]);
        Assert.True(run.ExitCode == 0, run.ToString());
        string id = run.Stdout.Trim();
        MiniRunCli.Result wait = Cli.Run("wait", id);
        Assert.True(wait.ExitCode == 0, wait.ToString());
        return id;
    }

    private static string Base64Lines(int zeros)
    {
        string encoded = Convert.ToBase64String(new byte[zeros]);
        var text = new StringBuilder();
        for (int i = 0; i < encoded.Length; i += 76) text.Append(encoded, i, Math.Min(76, encoded.Length - i)).Append('\n');
        return text.ToString();
    }

    [RootFact]
    public void Logs_ContainerWritesThroughProcOneFd_CannotRewriteOrTruncateHistory()
    {
        // Finding 7: with PID 1's stdout being the log file, opening it again through /proc (read-write, at offset 0,
        // or truncating) rewrote what `logs` shows. Through a pipe, the forged bytes can only be new output.
        string id = RunDetachedToExit(fixture.Image, "sh", "-c",
            "echo original; printf FORGED 1<>/proc/1/fd/1; : > /proc/1/fd/1; truncate -s 0 /proc/1/fd/1 2>/dev/null; echo after");
        try
        {
            MiniRunCli.Result logs = Cli.Run("logs", id);
            Assert.True(logs.ExitCode == 0, logs.ToString());
            Assert.StartsWith("original\n", logs.Stdout);
            Assert.EndsWith("after\n", logs.Stdout);
            Assert.DoesNotContain("FORGEDal", logs.Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", id);
        }
    }

    [RootFact]
    public void Logs_StdoutAndStderr_AreKeptApartWithTimestamps()
    {
        string id = RunDetachedToExit(fixture.Image, "sh", "-c", "echo out1; echo err1 >&2; echo out2; echo err2 >&2");
        try
        {
            MiniRunCli.Result logs = Cli.Run("logs", id);
            Assert.True(logs.ExitCode == 0, logs.ToString());
            Assert.Equal("out1\nout2\n", logs.Stdout);
            Assert.Equal("err1\nerr2\n", logs.Stderr);

            MiniRunCli.Result stamped = Cli.Run("logs", "-t", id);
            Assert.True(stamped.ExitCode == 0, stamped.ToString());
            Assert.Matches(@"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z out\d\n){2}$", stamped.Stdout);
            Assert.Matches(@"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z err\d\n){2}$", stamped.Stderr);
            // The time is when the line was written: within the container's life.
            DateTimeOffset written = DateTimeOffset.Parse(stamped.Stdout[..27] + "Z", System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(written, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow);

            // The log on disk is Docker's json-file: one object per line.
            string log = Path.Combine(Cli.StoreRoot, "containers", id, "container.log");
            string[] lines = File.ReadAllLines(log);
            Assert.Equal(4, lines.Length);
            using JsonDocument first = JsonDocument.Parse(lines.First(l => l.Contains("out1")));
            Assert.Equal("out1\n", first.RootElement.GetProperty("log").GetString());
            Assert.Equal("stdout", first.RootElement.GetProperty("stream").GetString());
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$", first.RootElement.GetProperty("time").GetString());
            Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(log) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite));
        }
        finally
        {
            Cli.Run("rm", "-f", id);
        }
    }

    [RootFact]
    public void Logs_TailSinceUntil_SelectEntries()
    {
        string id = RunDetachedToExit(fixture.Image, "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done");
        try
        {
            MiniRunCli.Result tail = Cli.Run("logs", "--tail", "2", id);
            Assert.True(tail.ExitCode == 0, tail.ToString());
            Assert.Equal("line4\nline5\n", tail.Stdout);
            Assert.Equal("line1\nline2\nline3\nline4\nline5\n", Cli.Run("logs", "--tail", "all", id).Stdout);
            Assert.Equal("", Cli.Run("logs", "--tail", "0", id).Stdout);

            MiniRunCli.Result future = Cli.Run("logs", "--since", "2099-01-01T00:00:00Z", id);
            Assert.True(future.ExitCode == 0, future.ToString());
            Assert.Equal("", future.Stdout);
            Assert.Equal("line1\nline2\nline3\nline4\nline5\n", Cli.Run("logs", "--since", "10m", id).Stdout);
            long hourAgo = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
            Assert.Equal("line1\nline2\nline3\nline4\nline5\n", Cli.Run("logs", "--since", hourAgo.ToString(), id).Stdout);
            Assert.Equal("", Cli.Run("logs", "--until", "1h", id).Stdout);
            Assert.Equal("line5\n", Cli.Run("logs", "--tail", "1", "--until", "2099-01-01T00:00:00.123456789Z", id).Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", id);
        }
    }

    [RootFact]
    public void Logs_ForegroundRun_IsShownAndLogged()
    {
        MiniRunCli.Result run = Cli.Run("run", "--name", "logged-fg", fixture.Image, "sh", "-c", "echo hello; echo warn >&2; printf partial");
        try
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("hello\npartial", run.Stdout);
            Assert.Equal("warn\n", run.Stderr);

            MiniRunCli.Result logs = Cli.Run("logs", "logged-fg");
            Assert.True(logs.ExitCode == 0, logs.ToString());
            Assert.Equal("hello\npartial", logs.Stdout);
            Assert.Equal("warn\n", logs.Stderr);
        }
        finally
        {
            Cli.Run("rm", "-f", "logged-fg");
        }
    }

    [RootFact]
    public void Logs_LargeOutputOnBothStreams_PassesThroughAndIsLoggedIntact()
    {
        // More than any pipe holds, on both streams at once: no deadlock, nothing lost, each stream in order.
        MiniRunCli.Result run = Cli.Run("run", "--name", "logged-big", fixture.Image, "sh", "-c",
            "head -c 2000000 /dev/zero | base64 >&2 & head -c 5000000 /dev/zero | base64; wait; head -c 40000 /dev/zero | tr '\\0' x");
        try
        {
            Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stderr[..Math.Min(200, run.Stderr.Length)]}");
            string expectedOut = Base64Lines(5000000) + new string('x', 40000), expectedErr = Base64Lines(2000000);
            Assert.True(expectedOut == run.Stdout, $"stdout: {run.Stdout.Length} characters, expected {expectedOut.Length}");
            Assert.True(expectedErr == run.Stderr, $"stderr: {run.Stderr.Length} characters, expected {expectedErr.Length}");

            MiniRunCli.Result logs = Cli.Run("logs", "logged-big");
            Assert.True(logs.ExitCode == 0, logs.Stderr.Length < 300 ? logs.ToString() : $"exit {logs.ExitCode}");
            Assert.True(expectedOut == logs.Stdout, $"logs stdout: {logs.Stdout.Length} characters, expected {expectedOut.Length}");
            Assert.True(expectedErr == logs.Stderr, $"logs stderr: {logs.Stderr.Length} characters, expected {expectedErr.Length}");
        }
        finally
        {
            Cli.Run("rm", "-f", "logged-big");
        }
    }

    [RootFact]
    public void Logs_Follow_PrintsWhatComesUntilTheContainerStops()
    {
        MiniRunCli.Result run = Cli.Run("run", "-d", fixture.Image, "sh", "-c", "echo before; sleep 1; echo after >&2; sleep 1; echo last");
        Assert.True(run.ExitCode == 0, run.ToString());
        string id = run.Stdout.Trim();
        try
        {
            MiniRunCli.Result follow = Cli.Run("logs", "-f", id);
            Assert.True(follow.ExitCode == 0, follow.ToString());
            Assert.Equal("before\nlast\n", follow.Stdout);
            Assert.Equal("after\n", follow.Stderr);
        }
        finally
        {
            Cli.Run("rm", "-f", id);
        }
    }

    [RootFact]
    public void Logs_OlderRawLog_IsPrintedAsWritten()
    {
        // A container logged by an older MiniRun (raw bytes): printed as before.
        string id = RunDetachedToExit(fixture.Image, "true");
        try
        {
            string log = Path.Combine(Cli.StoreRoot, "containers", id, "container.log");
            File.WriteAllText(log, "raw line\nno newline");
            MiniRunCli.Result logs = Cli.Run("logs", id);
            Assert.True(logs.ExitCode == 0, logs.ToString());
            Assert.Equal("raw line\nno newline", logs.Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", id);
        }
    }
}
