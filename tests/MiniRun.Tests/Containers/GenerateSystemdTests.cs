using System.Diagnostics;
using System.Text.Json;

namespace MiniRun.Tests.Containers;

/// <summary>
/// `generate systemd`: with no daemon nothing starts a container after a reboot, so minirun prints the unit that does,
/// as podman does: Type=forking around `minirun start`, `minirun stop` with the container's timeout, the supervisor as PIDFile.
/// </summary>
public class GenerateSystemdTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    private string Id(string name)
    {
        using JsonDocument document = JsonDocument.Parse(Cli.RunOk("inspect", name).Stdout);
        return document.RootElement[0].GetProperty("Id").GetString()!;
    }

    [RootFact]
    public void GenerateSystemd_NamesTheContainerAndTheRightCommands()
    {
        try
        {
            Cli.RunOk("create", "--name", "unit-web", "--restart", "always", "--stop-timeout", "5", fixture.Image, "sleep", "300");
            string id = Id("unit-web");
            string minirun = $"{Cli.Binary} --root {Cli.StoreRoot}";
            string unit = Cli.RunOk("generate", "systemd", "unit-web").Stdout;

            string[] lines = unit.Split('\n');
            Assert.Equal("# container-unit-web.service", lines[0]);
            Assert.Contains("Description=MiniRun container unit-web", lines);
            Assert.Contains("Type=forking", lines);
            Assert.Contains("Restart=on-failure", lines);
            Assert.Contains("TimeoutStopSec=65", lines);
            Assert.Contains($"ExecStart={minirun} start {id}", lines);
            Assert.Contains($"ExecStop={minirun} stop -t 5 {id}", lines);
            Assert.Contains($"PIDFile={Cli.StoreRoot}/containers/{id}/supervisor.pid", lines);
            Assert.Contains($"RequiresMountsFor={Cli.StoreRoot}", lines);
            Assert.Contains("WantedBy=default.target", lines);
            Assert.Contains("no daemon", unit);

            string named = Cli.RunOk("generate", "systemd", "--name", "--restart-policy", "always", "-t", "2", "unit-web").Stdout;
            Assert.Contains($"ExecStart={minirun} start unit-web\n", named);
            Assert.Contains($"ExecStop={minirun} stop -t 2 unit-web\n", named);
            Assert.Contains("Restart=always\n", named);

            MiniRunCli.Result bad = Cli.Run("generate", "systemd", "--restart-policy", "sometimes", "unit-web");
            Assert.Equal(125, bad.ExitCode);
            Assert.Contains("systemd's Restart=", bad.Stderr);
            Assert.Equal(125, Cli.Run("generate", "systemd", "nosuch").ExitCode);
            Assert.Equal(125, Cli.Run("generate", "unit-web").ExitCode);

            // systemd's own parser, where it is installed: no complaint about the unit.
            string file = fixture.Scratch.Combine("container-unit-web.service");
            File.WriteAllText(file, unit);
            if (Verify(file) is { } verify)
            {
                Assert.True(verify.ExitCode == 0, verify.Output);
                Assert.DoesNotContain("container-unit-web.service", verify.Output);
            }
        }
        finally
        {
            Cli.Run("rm", "-f", "unit-web");
        }
    }

    [RootFact]
    public void GenerateSystemd_PidFile_NamesTheSupervisor_WhileTheContainerRuns()
    {
        try
        {
            Cli.RunOk("run", "-d", "--name", "unit-pid", fixture.Image, "sleep", "300");
            string id = Id("unit-pid");
            string pidFile = Path.Combine(Cli.StoreRoot, "containers", id, "supervisor.pid");
            int pid = int.Parse(File.ReadAllText(pidFile).Trim());
            Assert.Contains("minirun-supervise", File.ReadAllText($"/proc/{pid}/cmdline"));
            Assert.Contains($"PIDFile={pidFile}\n", Cli.RunOk("generate", "systemd", "unit-pid").Stdout);

            Cli.RunOk("stop", "unit-pid"); // what ExecStop runs: the supervisor exits, and takes its PID file
            var clock = Stopwatch.StartNew();
            while (File.Exists(pidFile) && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(20);
            Assert.False(File.Exists(pidFile));
        }
        finally
        {
            Cli.Run("rm", "-f", "unit-pid");
        }
    }

    /// <summary>`systemd-analyze verify FILE` (it parses the unit without a running systemd), or null where it is missing.</summary>
    private static (int ExitCode, string Output)? Verify(string file)
    {
        string? tool = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);
        if (tool is null) return null;
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("verify");
        psi.ArgumentList.Add(file);
        using Process process = Process.Start(psi)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "systemd-analyze verify did not finish");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
