using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Containers;

/// <summary>`stats`: docker stats' columns read from the container's cgroup, once (--no-stream) or redrawn each second.</summary>
public class StatsTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private static readonly string[] Header = ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"];

    private MiniRunCli Cli => fixture.Cli;

    /// <summary>The table's rows, cells split where the columns are (three spaces or more; a cell holds single spaces).</summary>
    private static List<string[]> Rows(string table)
    {
        List<string[]> rows = table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Regex.Split(l, " {3,}")).ToList();
        Assert.Equal(Header, rows[0]);
        return rows.Skip(1).ToList();
    }

    /// <summary>"24.6MiB" in bytes.</summary>
    private static double Bytes(string size)
    {
        Match m = Regex.Match(size, @"^([0-9.]+)(B|KiB|MiB|GiB)$");
        Assert.True(m.Success, size);
        int power = Array.IndexOf(["B", "KiB", "MiB", "GiB"], m.Groups[2].Value);
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * Math.Pow(1024, power);
    }

    /// <summary>Waits until the container has made /ready (its set-up done).</summary>
    private void AwaitReady(string name) =>
        Cli.RunOk("exec", name, "sh", "-c", "for i in $(seq 200); do [ -e /ready ] && exit 0; sleep 0.05; done; exit 1");

    [RootFact]
    public void Stats_NoStream_ABusyContainer_CpuMemoryAgainstItsLimitAndPids()
    {
        try
        {
            // 24 MiB in its /dev/shm (charged to its memory cgroup), one process spinning, one sleeping.
            Cli.RunOk("run", "-d", "--name", "stats-busy", "-m", "64m", fixture.Image, "sh", "-c",
                "dd if=/dev/zero of=/dev/shm/fill bs=1M count=24 2>/dev/null; touch /ready; sleep 300 & exec sh -c 'while :; do :; done'");
            AwaitReady("stats-busy");
            var clock = Stopwatch.StartNew();
            MiniRunCli.Result stats = Cli.RunOk("stats", "--no-stream", "stats-busy");
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20)); // two readings a second apart, then it returns

            string[] row = Assert.Single(Rows(stats.Stdout));
            using (var inspect = System.Text.Json.JsonDocument.Parse(Cli.RunOk("inspect", "stats-busy").Stdout))
                Assert.Equal(inspect.RootElement[0].GetProperty("Id").GetString()![..12], row[0]);
            Assert.Equal("stats-busy", row[1]);
            // A spinning thread is 100% of one CPU on an idle machine; a busy one gives it less, never nothing.
            Assert.InRange(double.Parse(row[2].TrimEnd('%'), CultureInfo.InvariantCulture), 1, 100.5 * Environment.ProcessorCount);
            string[] memory = row[3].Split(" / ");
            Assert.Equal("64MiB", memory[1]);
            Assert.InRange(Bytes(memory[0]), 24 << 20, 64 << 20);
            Assert.Equal(Bytes(memory[0]) / (64 << 20) * 100, double.Parse(row[4].TrimEnd('%'), CultureInfo.InvariantCulture), 0.5);
            Assert.Equal("0B / 0B", row[5]); // the host's network: none of its own to count
            Assert.Equal("2", row[7]);
        }
        finally
        {
            Cli.Run("rm", "-f", "stats-busy");
        }
    }

    [RootFact]
    public void Stats_RunningByDefault_AllAddsTheOthersAtZero_UnknownIsExit1()
    {
        try
        {
            Cli.RunOk("create", "--name", "stats-made", fixture.Image, "true");
            Cli.RunOk("run", "-d", "--name", "stats-up", fixture.Image, "sleep", "300");

            List<string> running = Rows(Cli.RunOk("stats", "--no-stream").Stdout).Select(r => r[1]).ToList();
            Assert.Contains("stats-up", running);
            Assert.DoesNotContain("stats-made", running);
            string[] made = Rows(Cli.RunOk("stats", "--no-stream", "--all").Stdout).Single(r => r[1] == "stats-made");
            Assert.Equal(["0.00%", "0B / 0B", "0.00%", "0B / 0B", "0B / 0B", "0"], made[2..]);
            Assert.Equal(["stats-made", "stats-up"], Rows(Cli.RunOk("stats", "--no-stream", "stats-made", "stats-up").Stdout).Select(r => r[1]));

            MiniRunCli.Result unknown = Cli.Run("stats", "--no-stream", "stats-up", "nosuch");
            Assert.Equal((1, "", "minirun: No such container: nosuch\n"), (unknown.ExitCode, unknown.Stdout, unknown.Stderr));
        }
        finally
        {
            Cli.Run("rm", "-f", "stats-made", "stats-up");
        }
    }

    [RootFact]
    public void Stats_Streaming_RedrawsEachSecondOnAClearedScreen_UntilInterrupted()
    {
        Process? stats = null;
        try
        {
            Cli.RunOk("run", "-d", "--name", "stats-live", fixture.Image, "sleep", "300");
            var psi = new ProcessStartInfo(Cli.Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in new[] { "--root", Cli.StoreRoot, "stats", "stats-live" }) psi.ArgumentList.Add(arg);
            stats = Process.Start(psi)!;
            Task<string> output = stats.StandardOutput.ReadToEndAsync();
            Thread.Sleep(TimeSpan.FromSeconds(3.6));
            Assert.False(stats.HasExited, "stats without --no-stream returned by itself");
            MiniRun.Native.Syscalls.Kill(stats.Id, MiniRun.Native.Signal.Int); // Ctrl-C
            Assert.True(stats.WaitForExit(TimeSpan.FromSeconds(10)));

            string[] frames = output.Result.Split("\u001b[2J\u001b[H");
            Assert.Equal("", frames[0]); // each table is drawn on a cleared screen, cursor home, as Docker's
            Assert.InRange(frames.Length - 1, 2, 4); // one a second (the first after a second's reading)
            foreach (string frame in frames.Where(f => f.Length > 0)) Assert.Equal("stats-live", Assert.Single(Rows(frame))[1]);
        }
        finally
        {
            if (stats is { HasExited: false }) stats.Kill();
            stats?.Dispose();
            Cli.Run("rm", "-f", "stats-live");
        }
    }

    [CgroupV2Fact]
    public void Stats_ForcedV2_ReadsTheUnifiedGroup()
    {
        var v2 = new Dictionary<string, string> { [CgroupDetector.OverrideVariable] = "v2" };
        try
        {
            Assert.Equal(0, Cli.RunWithEnvironment(v2, "run", "-d", "--name", "stats-v2", fixture.Image, "sh", "-c",
                "touch /ready; sleep 300 & exec sh -c 'while :; do :; done'").ExitCode);
            AwaitReady("stats-v2");
            MiniRunCli.Result stats = Cli.RunWithEnvironment(v2, "stats", "--no-stream", "stats-v2");
            Assert.True(stats.ExitCode == 0, stats.ToString());
            string[] row = Assert.Single(Rows(stats.Stdout));
            Assert.True(double.Parse(row[2].TrimEnd('%'), CultureInfo.InvariantCulture) >= 1, row[2]); // cpu.stat is there without the cpu controller
            Assert.Equal("2", row[7]); // pids.current, or the processes cgroup.procs lists
        }
        finally
        {
            Cli.RunWithEnvironment(v2, "rm", "-f", "stats-v2");
        }
    }
}
