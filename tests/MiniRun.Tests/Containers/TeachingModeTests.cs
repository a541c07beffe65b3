using MiniRun.Fixtures;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Containers;

/// <summary>run --explain and run --dry-run: the narration names the real steps; the script makes the same container.</summary>
public class TeachingModeTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    [RootFact]
    public void Explain_Run_NarratesOverlayNamespacesPivotRootAndKeepsTheOutput()
    {
        MiniRunCli.Result result = Cli.Run("run", "--rm", "--explain", fixture.Image);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("from-image\n", result.Stdout);
        Assert.Contains($"+ cd {Cli.StoreRoot} && mount -t overlay overlay -o lowerdir=containers/", result.Stderr);
        Assert.Contains("+ unshare --mount --uts --ipc --pid --fork", result.Stderr);
        Assert.Contains("/merged/proc\n", result.Stderr.Replace("+ mount -t proc proc -o nosuid,nodev,noexec ", "@"));
        Assert.Contains("&& pivot_root . .\n", result.Stderr);
        Assert.Contains("+ mount --make-rslave . && umount -l .\n", result.Stderr);
        Assert.Contains("+ exec env -i ", result.Stderr);
        Assert.Contains("+ umount ", result.Stderr); // teardown
        AssertInOrder(result.Stderr, "mount -t overlay", "+ unshare", "pivot_root", "+ exec env", "+ umount");
    }

    [RootFact]
    public void Explain_Chroot_NarratesChroot()
    {
        MiniRunCli.Result result = Cli.Run("run", "--rm", "--explain", "--chroot", fixture.Image, "echo", "hi");

        Assert.Equal("hi\n", result.Stdout);
        Assert.Matches(@"\+ cd \S+/merged && chroot \.\n", result.Stderr);
        Assert.DoesNotContain("pivot_root", result.Stderr);
    }

    [RootFact]
    public void Explain_MemoryLimit_NarratesTheCgroupWrite()
    {
        MiniRunCli.Result result = Cli.Run("run", "--rm", "--explain", "-m", "32m", fixture.Image, "true");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"\+ echo 33554432 > \S+/(memory\.max|memory\.limit_in_bytes)\n", result.Stderr);
        Assert.Matches(@"\+ echo 0 > \S+/(tasks|cgroup\.procs)\n", result.Stderr); // the init stage joins the cgroup itself
    }

    [RootTheory]
    [InlineData("--hostname", "box")]
    [InlineData("--chroot", "--hostname", "box", "--network", "none", "-u", "1000:1000", "-e", "X=1", "-w", "/tmp/w", "--read-only", "-m", "64m")]
    public void DryRun_Script_PrintsWhatTheRunPrints_AndLeavesNothingBehind(params string[] flags)
    {
        string[] command = ["sh", "-c", "echo $X $FOO; hostname; pwd; id; grep Cap /proc/self/status; cat marker /srv/marker; ls /sys/class/net; touch /x 2>&1; echo $$; exit 3"];
        MiniRunCli.Result dryRun = Cli.Run(["run", "--rm", "--dry-run", .. flags, fixture.Image, .. command]);
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Empty(Cli.Run("ps", "-aq").Stdout); // --dry-run created nothing
        MiniRunCli.Result real = Cli.Run(["run", "--rm", .. flags, fixture.Image, .. command]);

        using var scratch = new TempDirectory("minirun-dryrun");
        string script = scratch.Combine("run.sh");
        File.WriteAllText(script, dryRun.Stdout);
        ExternalCommand.Result replayed = ExternalCommand.Run("bash", [script], TimeSpan.FromMinutes(1));

        Assert.Equal(real.Stdout, replayed.Stdout);
        Assert.Equal(3, real.ExitCode);
        Assert.Equal(real.ExitCode, replayed.ExitCode);
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), line => line.Contains(Cli.StoreRoot, StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Cli.StoreRoot, "tmp"), "dry-run-*"));
        if (System.Text.RegularExpressions.Regex.Match(dryRun.Stdout, $"{CgroupNames.Parent}/([0-9a-f]{{64}})") is { Success: true } cgroup)
            Assert.DoesNotContain(CgroupDetector.Detect()!.Directories(CgroupNames.For(cgroup.Groups[1].Value)), Directory.Exists);
    }

    [RootFact]
    public void DryRun_Script_UsesStandardTools()
    {
        MiniRunCli.Result dryRun = Cli.Run("run", "--rm", "--dry-run", fixture.Image);

        Assert.StartsWith("#!/usr/bin/env bash\n", dryRun.Stdout);
        Assert.Contains("mount -t overlay overlay -o lowerdir=tmp/dry-run-", dryRun.Stdout);
        Assert.Contains("unshare --mount --uts --ipc --pid --fork", dryRun.Stdout);
        Assert.Contains("capsh --drop=", dryRun.Stdout);
        Assert.Contains("trap cleanup EXIT", dryRun.Stdout);
        Assert.DoesNotContain("minirun __init", dryRun.Stdout);
    }

    [RootFact]
    public void Explain_WithDetach_IsRefusedInOneLine()
    {
        MiniRunCli.Result result = Cli.Run("run", "-d", "--explain", fixture.Image);

        Assert.Equal(125, result.ExitCode);
        Assert.StartsWith("minirun: --explain and --detach cannot be combined", result.Stderr);
        Assert.Empty(Cli.Run("ps", "-aq").Stdout);
    }

    private static void AssertInOrder(string text, params string[] parts)
    {
        int at = 0;
        foreach (string part in parts)
        {
            int found = text.IndexOf(part, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"\"{part}\" not found after offset {at} in:\n{text}");
            at = found + part.Length;
        }
    }
}
