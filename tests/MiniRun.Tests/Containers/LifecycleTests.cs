using System.Diagnostics;
using System.Text.Json;

namespace MiniRun.Tests.Containers;

/// <summary>Detached containers end to end: run -d, ps, logs, exec, stop, start, wait, kill, rm, inspect, and crash recovery.</summary>
public class LifecycleTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    private string RunDetached(params string[] args)
    {
        MiniRunCli.Result run = Cli.Run(["run", "-d", .. args]);
        Assert.True(run.ExitCode == 0, run.ToString());
        string id = run.Stdout.Trim();
        Assert.Matches("^[0-9a-f]{64}$", id);
        return id;
    }

    private void RemoveQuietly(string container) => Cli.Run("rm", "-f", container);

    private static bool IsMounted(string path) => File.ReadAllText("/proc/self/mounts").Contains(" " + path + " ");

    [RootFact]
    public void RunDetached_PsLogsExecStopRm_FullLifecycle()
    {
        string id = RunDetached("--name", "life", fixture.Image, "sh", "-c", "echo started; echo oops >&2; echo data > /made; exec sleep 300");
        try
        {
            string ps = Cli.Run("ps").Stdout;
            Assert.Contains(id[..12], ps);
            Assert.Matches(@"Up (Less than a second|\d+ seconds?)\s+life", ps);
            Assert.Equal(id[..12] + "\n", Cli.Run("ps", "-q").Stdout);

            // As docker logs: what the container wrote to stderr comes out on stderr.
            WaitFor(() => Cli.Run("logs", "life") is { Stdout: "started\n", Stderr: "oops\n" });

            // exec: in the container's root (its files) and PID namespace (its PID 1 is sleep), not PID 1 itself.
            var exec = Cli.Run("exec", "life", "sh", "-c", "cat /made; echo $$; cat /proc/1/cmdline | tr '\\0' ' '");
            Assert.True(exec.ExitCode == 0, exec.ToString());
            string[] lines = exec.Stdout.Split('\n');
            Assert.Equal("data", lines[0]);
            Assert.NotEqual("1", lines[1]);
            Assert.Equal("sleep 300 ", lines[2]);

            var stopwatch = Stopwatch.StartNew();
            var stop = Cli.Run("stop", "-t", "1", "life"); // PID 1 ignores SIGTERM it has no handler for: SIGKILL after 1 s
            stopwatch.Stop();
            Assert.True(stop.ExitCode == 0, stop.ToString());
            Assert.InRange(stopwatch.Elapsed.TotalSeconds, 0.9, 5);
            Assert.Contains("Exited (137)", Cli.Run("ps", "-a").Stdout);
            Assert.Equal("", Cli.Run("ps", "-q").Stdout);

            string merged = Path.Combine(Cli.StoreRoot, "containers", id, "merged");
            Assert.False(IsMounted(merged));
            Assert.Equal(0, Cli.Run("rm", "life").ExitCode);
            Assert.False(Directory.Exists(Path.Combine(Cli.StoreRoot, "containers", id)));
            Assert.DoesNotContain(Cli.StoreRoot, File.ReadAllText("/proc/self/mounts"));
        }
        finally
        {
            RemoveQuietly(id);
        }
    }

    [RootFact]
    public void Exec_EnvWorkdirUser_AreApplied()
    {
        string id = RunDetached(fixture.Image, "sleep", "300");
        try
        {
            var exec = Cli.Run("exec", "-e", "X=42", "-w", "/tmp", "-u", "1000:1000", id, "sh", "-c", "echo $X $FOO; pwd; id -u; id -g");
            Assert.True(exec.ExitCode == 0, exec.ToString());
            Assert.Equal("42 from-image\n/tmp\n1000\n1000\n", exec.Stdout);
            Assert.Equal(7, Cli.Run("exec", id, "sh", "-c", "exit 7").ExitCode);
            Assert.Equal(127, Cli.Run("exec", id, "no-such-command").ExitCode);
        }
        finally
        {
            RemoveQuietly(id);
        }
    }

    [RootFact]
    public void StartAndWait_StoppedContainer_RunsAgainOnItsUpperDir()
    {
        string id = RunDetached(fixture.Image, "sh", "-c", "echo run >> /count; exit 3");
        try
        {
            Assert.Equal("3\n", Cli.Run("wait", id).Stdout);
            Assert.Equal(0, Cli.Run("start", id).ExitCode);
            Assert.Equal("3\n", Cli.Run("wait", id).Stdout);
            string upper = Path.Combine(Cli.StoreRoot, "containers", id, "diff", "count");
            Assert.Equal("run\nrun\n", File.ReadAllText(upper));
        }
        finally
        {
            RemoveQuietly(id);
        }
    }

    [RootFact]
    public void Kill_WithSignal_IsRecordedAsExitStatusAndInspect()
    {
        string id = RunDetached(fixture.Image, "sh", "-c", "trap 'exit 42' USR1; echo trapped; while :; do sleep 0.1; done");
        try
        {
            // A signal sent before the shell has installed its trap is ignored (PID 1 has no default actions).
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!Cli.Run("logs", id).Stdout.Contains("trapped") && DateTime.UtcNow < deadline) Thread.Sleep(50);

            using JsonDocument running = JsonDocument.Parse(Cli.Run("inspect", id).Stdout);
            JsonElement state = running.RootElement[0].GetProperty("State");
            Assert.Equal("running", state.GetProperty("Status").GetString());
            Assert.True(state.GetProperty("Pid").GetInt32() > 0);
            Assert.Contains("UpperDir", running.RootElement[0].GetProperty("GraphDriver").GetProperty("Data").ToString());

            Assert.Equal(0, Cli.Run("kill", "-s", "USR1", id).ExitCode);
            Assert.Equal("42\n", Cli.Run("wait", id).Stdout);
            using JsonDocument exited = JsonDocument.Parse(Cli.Run("inspect", id).Stdout);
            state = exited.RootElement[0].GetProperty("State");
            Assert.Equal("exited", state.GetProperty("Status").GetString());
            Assert.Equal(42, state.GetProperty("ExitCode").GetInt32());
            Assert.Equal(0, state.GetProperty("Pid").GetInt32());
        }
        finally
        {
            RemoveQuietly(id);
        }
    }

    [RootFact]
    public void SystemPrune_AfterRunnerKilledWithSigkill_ReportsDeadAndCleansEverything()
    {
        var psi = new ProcessStartInfo(MiniRunCli.BinaryPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "--root", Cli.StoreRoot, "run", "--name", "crashed", fixture.Image, "sleep", "300" }) psi.ArgumentList.Add(arg);
        using Process runner = Process.Start(psi)!;
        string? id = null;
        try
        {
            WaitFor(() => Cli.Run("ps", "-q").Stdout.Length > 0);
            id = Cli.Run("ps", "-q").Stdout.Trim();
            runner.Kill(); // SIGKILL: no teardown, no exit recorded, the overlay stays mounted, sleep is orphaned
            runner.WaitForExit();
            // A half-created container, as a killed minirun leaves it in tmp/ (its creator, PID 1's first child, is gone).
            string halfCreated = Path.Combine(Cli.StoreRoot, "tmp", $"container-{runner.Id}.1-{Guid.NewGuid():N}");
            Directory.CreateDirectory(Path.Combine(halfCreated, "diff"));

            string ps = Cli.Run("ps", "-a").Stdout;
            Assert.Contains("Dead (runner gone", ps);
            Assert.Equal("", Cli.Run("ps", "-q").Stdout); // not reported as running

            var prune = Cli.Run("system", "prune", "-f");
            Assert.True(prune.ExitCode == 0, prune.ToString());
            Assert.Contains(halfCreated, prune.Stdout);
            Assert.Equal("", Cli.Run("ps", "-aq").Stdout);
            Assert.False(Directory.Exists(halfCreated));
            Assert.DoesNotContain(Cli.StoreRoot + "/containers", File.ReadAllText("/proc/self/mounts"));
            Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(Path.Combine(Cli.StoreRoot, "containers")), e => !e.EndsWith(".lock") && !e.EndsWith(".names"));
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Cli.StoreRoot, "containers", ".names"))); // its name is free again
        }
        finally
        {
            if (!runner.HasExited) runner.Kill();
            if (id is not null) RemoveQuietly(id);
        }
    }

    private static void WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 10 s");
            Thread.Sleep(50);
        }
    }
}
