using System.Diagnostics;
using System.Text.Json;

namespace MiniRun.Tests.Containers;

/// <summary>
/// --restart as Docker applies it, here by the container's supervisor: on-failure:N restarts exactly N times, always
/// restarts after exit 0 until a stop, no never restarts, a foreground run returns its first status and hands the
/// restarts over; the back-off shows as "restarting" in inspect and ps.
/// </summary>
public class RestartTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    /// <summary>A fresh host directory bound at /data: each run of the command appends a line to /data/runs.</summary>
    private (string Flag, string Runs) RunsFile(string name)
    {
        string dir = fixture.Scratch.Combine("restart-" + name);
        Directory.CreateDirectory(dir);
        return ($"{dir}:/data", Path.Combine(dir, "runs"));
    }

    private static int Lines(string file) => File.Exists(file) ? File.ReadAllLines(file).Length : 0;

    private JsonElement Inspect(string name)
    {
        using JsonDocument document = JsonDocument.Parse(Cli.RunOk("inspect", name).Stdout);
        return document.RootElement[0].Clone();
    }

    private string Status(string name) => Inspect(name).GetProperty("State").GetProperty("Status").GetString()!;

    private static void WaitUntil(Func<bool> condition, string what, int seconds = 30)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), $"timed out waiting for {what}");
            Thread.Sleep(20);
        }
    }

    [RootFact]
    public void Restart_OnFailure3_RunsFourTimes_RestartCount3_Exited()
    {
        (string volume, string runs) = RunsFile("on-failure");
        try
        {
            Cli.RunOk("run", "-d", "--name", "rs-of3", "--restart", "on-failure:3", "-v", volume, fixture.Image, "sh", "-c", "echo run >> /data/runs; exit 1");
            WaitUntil(() => Status("rs-of3") == "exited", "the container to settle");
            Thread.Sleep(1500); // longer than the next back-off (800 ms) would be: nothing more comes
            JsonElement inspect = Inspect("rs-of3");
            Assert.Equal(4, Lines(runs));
            Assert.Equal(3, inspect.GetProperty("RestartCount").GetInt32());
            Assert.Equal("exited", inspect.GetProperty("State").GetProperty("Status").GetString());
            Assert.Equal(1, inspect.GetProperty("State").GetProperty("ExitCode").GetInt32());
            JsonElement policy = inspect.GetProperty("HostConfig").GetProperty("RestartPolicy");
            Assert.Equal("on-failure", policy.GetProperty("Name").GetString());
            Assert.Equal(3, policy.GetProperty("MaximumRetryCount").GetInt32());
        }
        finally
        {
            Cli.Run("rm", "-f", "rs-of3");
        }
    }

    [RootFact]
    public void Restart_Always_RestartsAfterExit0_ShowsRestarting_AndStopEndsItForGood()
    {
        (string volume, string runs) = RunsFile("always");
        try
        {
            Cli.RunOk("run", "-d", "--name", "rs-always", "--restart", "always", "-v", volume, fixture.Image, "sh", "-c", "echo run >> /data/runs; exit 0");
            // The back-off doubles (100, 200, 400 ms …): it is soon long enough to be seen.
            WaitUntil(() => Status("rs-always") == "restarting" && Lines(runs) >= 3, "a restart after exit 0 and its back-off");
            JsonElement state = Inspect("rs-always").GetProperty("State");
            Assert.True(state.GetProperty("Running").GetBoolean()); // as Docker says of a restarting container
            Assert.True(state.GetProperty("Restarting").GetBoolean());
            Assert.Equal(0, state.GetProperty("Pid").GetInt32());
            Assert.Matches(@"Restarting \(0\) .* ago", Cli.RunOk("ps").Stdout);

            Cli.RunOk("stop", "rs-always");
            Assert.Equal("exited", Status("rs-always"));
            int count = Lines(runs);
            Thread.Sleep(1500);
            Assert.Equal(count, Lines(runs));
            Assert.Equal("exited", Status("rs-always"));

            // A start by the user counts again from zero, and restarts apply again; a kill while it waits ends them too.
            Cli.RunOk("start", "rs-always");
            WaitUntil(() => Status("rs-always") == "restarting" && Lines(runs) >= count + 2, "restarts after start");
            // From zero: at most the runs since this start (without the reset it would be over count more than that).
            int restarts = Inspect("rs-always").GetProperty("RestartCount").GetInt32();
            Assert.InRange(restarts, 1, Lines(runs) - count);
            Cli.RunOk("kill", "rs-always"); // as Docker's kill of a restarting container: no error, no more restarts
            WaitUntil(() => Status("rs-always") == "exited", "the kill to end the restarts");
            count = Lines(runs);
            Thread.Sleep(1500);
            Assert.Equal(count, Lines(runs));
            Cli.RunOk("rm", "rs-always");
        }
        finally
        {
            Cli.Run("rm", "-f", "rs-always");
        }
    }

    [RootFact]
    public void Restart_NoOrNone_NeverRestarts()
    {
        (string volume, string runs) = RunsFile("no");
        try
        {
            Cli.RunOk("run", "-d", "--name", "rs-none", "-v", volume, fixture.Image, "sh", "-c", "echo run >> /data/runs; exit 1");
            Cli.RunOk("run", "-d", "--name", "rs-no", "--restart", "no", "-v", volume, fixture.Image, "sh", "-c", "echo run >> /data/runs; exit 1");
            Assert.Equal("1\n", Cli.RunOk("wait", "rs-none").Stdout);
            Assert.Equal("1\n", Cli.RunOk("wait", "rs-no").Stdout);
            Thread.Sleep(500);
            Assert.Equal(2, Lines(runs));
            foreach (string name in new[] { "rs-none", "rs-no" })
            {
                JsonElement inspect = Inspect(name);
                Assert.Equal(0, inspect.GetProperty("RestartCount").GetInt32());
                Assert.Equal("no", inspect.GetProperty("HostConfig").GetProperty("RestartPolicy").GetProperty("Name").GetString());
                Assert.Equal("exited", inspect.GetProperty("State").GetProperty("Status").GetString());
            }
        }
        finally
        {
            Cli.Run("rm", "-f", "rs-none", "rs-no");
        }
    }

    [RootFact]
    public void Restart_KillOfARunningOne_IsAStopByTheUser_NoRestart()
    {
        (string volume, string runs) = RunsFile("kill");
        try
        {
            Cli.RunOk("run", "-d", "--name", "rs-killed", "--restart", "unless-stopped", "-v", volume, fixture.Image, "sh", "-c", "echo run >> /data/runs; exec sleep 300");
            WaitUntil(() => Lines(runs) == 1, "the first run");
            Cli.RunOk("kill", "rs-killed");
            WaitUntil(() => Status("rs-killed") == "exited", "the kill");
            Thread.Sleep(500);
            Assert.Equal(1, Lines(runs));
            Assert.Equal(137, Inspect("rs-killed").GetProperty("State").GetProperty("ExitCode").GetInt32());
        }
        finally
        {
            Cli.Run("rm", "-f", "rs-killed");
        }
    }

    [RootFact]
    public void Run_ForegroundWithRestart_ReturnsTheFirstStatus_AndASupervisorRestarts()
    {
        (string volume, string runs) = RunsFile("foreground");
        try
        {
            MiniRunCli.Result run = Cli.Run("run", "--name", "rs-fg", "--restart", "on-failure:2", "-v", volume, fixture.Image, "sh", "-c", "echo run >> /data/runs; echo out; exit 3");
            Assert.Equal(3, run.ExitCode);
            Assert.Equal("out\n", run.Stdout);
            WaitUntil(() => Status("rs-fg") == "exited", "the restarts to end");
            Thread.Sleep(1000);
            Assert.Equal(3, Lines(runs));
            Assert.Equal(2, Inspect("rs-fg").GetProperty("RestartCount").GetInt32());
            Assert.Equal("out\nout\nout\n", Cli.RunOk("logs", "rs-fg").Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", "rs-fg");
        }
    }

    [RootFact]
    public void Restart_WithRm_OrNonsense_IsRefusedAsDocker_NothingMade()
    {
        MiniRunCli.Result withRm = Cli.Run("run", "--rm", "--name", "rs-refused", "--restart", "always", fixture.Image, "true");
        Assert.Equal(125, withRm.ExitCode);
        Assert.Contains("--restart and --rm", withRm.Stderr);
        Assert.Equal(0, Cli.Run("run", "--rm", "--restart", "no", fixture.Image, "true").ExitCode); // "no" is no restart: allowed

        // Docker: a count that is no number is the CLI's flag error (125), a policy the engine refuses exits 1.
        foreach ((string policy, int status, string message) in new[]
                 {
                     ("bogus", 1, "invalid restart policy 'bogus'"),
                     ("always:3", 1, "maximum retry count cannot be used with restart policy 'always'"),
                     ("on-failure:x", 125, "invalid restart policy format: maximum retry count must be an integer"),
                     ("on-failure:-1", 1, "maximum retry count cannot be negative"),
                 })
        {
            MiniRunCli.Result bad = Cli.Run("create", "--name", "rs-refused", "--restart", policy, fixture.Image, "true");
            Assert.Equal(status, bad.ExitCode);
            Assert.Equal($"minirun: {message}\n", bad.Stderr);
        }
        Assert.NotEqual(0, Cli.Run("inspect", "rs-refused").ExitCode);
    }
}
