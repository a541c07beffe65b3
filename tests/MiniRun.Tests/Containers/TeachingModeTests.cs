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
        Assert.Matches(@"\+ cd \$STORE\n(# .*\n)?\+ mount -t overlay overlay -o lowerdir=containers/\$ID/init:l/", result.Stderr);
        Assert.Contains("+ unshare --pid --fork", result.Stderr);
        Assert.Contains("+ exec unshare --mount --uts --ipc --propagation unchanged bash", result.Stderr);
        Assert.Contains("/merged/proc\n", result.Stderr.Replace("+ mount -t proc proc -o nosuid,nodev,noexec ", "@"));
        Assert.Contains("&& pivot_root . . && mount --make-rslave . && umount -l .", result.Stderr); // not replayable: marked, and done by capsh --chroot
        Assert.Contains("+ exec env -i ", result.Stderr);
        Assert.Contains("+ umount ", result.Stderr); // teardown
        AssertInOrder(result.Stderr, "mount -t overlay", "+ unshare", "pivot_root", "+ exec env", "+ umount");
    }

    /// <summary>The long paths print as shell variables, each defined once before its first use: the lines read like a tutorial's and still run.</summary>
    [RootFact]
    public void Explain_Paths_AreShellVariablesDefinedOnce_NoLongIdsInTheCommands()
    {
        MiniRunCli.Result result = Cli.Run("run", "--rm", "--explain", fixture.Image, "true");
        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Stderr.Split('\n');

        Assert.Equal(1, lines.Count(l => l == $"+ export STORE={Cli.StoreRoot}"));
        Assert.Equal(1, lines.Count(l => l.StartsWith("+ export ID=", StringComparison.Ordinal)));
        Assert.Equal(1, lines.Count(l => l == "+ export C=$STORE/containers/$ID"));
        Assert.Contains("+ mkdir -p $C/merged/dev/pts", lines);
        Assert.Contains(lines, l => l.StartsWith("+ echo 0 > /sys/fs/cgroup/", StringComparison.Ordinal) && l.Contains("/minirun/$ID/", StringComparison.Ordinal));
        // Past the definitions, no command spells an ID or the store: config.json's here-document is the file itself, as written.
        string[] commands = lines.Where(l => l.StartsWith("+ ", StringComparison.Ordinal) && !l.StartsWith("+ export ", StringComparison.Ordinal)
                                             && !l.StartsWith("+   ", StringComparison.Ordinal) && !l.StartsWith("+ {", StringComparison.Ordinal)).ToArray();
        Assert.DoesNotContain(commands, l => System.Text.RegularExpressions.Regex.IsMatch(l, "[0-9a-f]{64}"));
        Assert.DoesNotContain(commands, l => l.Contains(Cli.StoreRoot + "/", StringComparison.Ordinal));
        int firstUse = Array.FindIndex(lines, l => l.Contains("$ID", StringComparison.Ordinal));
        Assert.True(firstUse > Array.FindIndex(lines, l => l.StartsWith("+ export ID=", StringComparison.Ordinal)), "$ID is used before it is defined");
    }

    [RootFact]
    public void Explain_Chroot_NarratesChroot()
    {
        MiniRunCli.Result result = Cli.Run("run", "--rm", "--explain", "--chroot", fixture.Image, "echo", "hi");

        Assert.Equal("hi\n", result.Stdout);
        Assert.Matches(@"# cd \S+/merged && chroot \.", result.Stderr);
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
        Assert.Contains("unshare --pid --fork", dryRun.Stdout);
        Assert.Contains("exec unshare --mount --uts --ipc", dryRun.Stdout);
        Assert.Contains("capsh --drop=", dryRun.Stdout);
        Assert.Contains("trap cleanup EXIT", dryRun.Stdout);
        Assert.DoesNotContain("minirun __init", dryRun.Stdout);
    }

    /// <summary>The narration is the work: its commands, replayed with bash, make the same container and run the same command.</summary>
    [RootTheory]
    [InlineData()]
    [InlineData("--hostname", "box", "--network", "none", "-e", "X=1", "-w", "/tmp/w", "-m", "64m")]
    [InlineData("--chroot", "--read-only", "--pids-limit", "20")]
    public void Explain_Replayed_MakesTheSameContainerWithTheSameOutputAndStatus(params string[] flags)
    {
        string[] command = ["sh", "-c", "echo $X; cat /etc/hostname; pwd; cat marker; ls /sys/class/net; touch /x 2>&1; echo $$; exit 3"];
        MiniRunCli.Result explained = Cli.Run(["run", "--rm", "--explain", .. flags, fixture.Image, .. command]);
        Assert.Equal(3, explained.ExitCode);
        Assert.Empty(Cli.Run("ps", "-aq").Stdout);

        using var scratch = new TempDirectory("minirun-replay");
        string script = scratch.Combine("replay.sh");
        File.WriteAllLines(script, explained.Stderr.Split('\n').Where(l => l.StartsWith("+ ", StringComparison.Ordinal)).Select(l => l[2..]));
        ExternalCommand.Result replayed = ExternalCommand.Run("bash", [script], TimeSpan.FromMinutes(1));

        Assert.Equal(explained.Stdout, replayed.Stdout);
        Assert.Equal(3, replayed.ExitCode);
        string id = System.Text.RegularExpressions.Regex.Match(explained.Stderr, @"\+ export ID=([0-9a-f]{64})\n").Groups[1].Value;
        Assert.NotEqual("", id);
        Assert.False(Directory.Exists(Path.Combine(Cli.StoreRoot, "containers", id))); // made again by the replay, and removed as --rm does
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), line => line.Contains(Cli.StoreRoot, StringComparison.Ordinal));
    }

    /// <summary>A real run (its calls as --explain prints them) and a dry run issue the same calls, up to the container's ID and directory.</summary>
    [RootTheory]
    [InlineData()]
    [InlineData("--network", "none", "-u", "1000:1000", "--read-only", "-m", "64m", "--cpus", "0.5")]
    public void DryRun_AndARealRun_IssueTheSameCalls(params string[] flags)
    {
        MiniRunCli.Result explained = Cli.Run(["run", "--rm", "--explain", "--hostname", "h", .. flags, fixture.Image, "true"]);
        MiniRunCli.Result dryRun = Cli.Run(["run", "--rm", "--dry-run", "--hostname", "h", .. flags, fixture.Image, "true"]);
        Assert.Equal(0, explained.ExitCode);

        static List<string> Calls(string text, string prefix) => text.Split('\n')
            .Where(l => l.StartsWith(prefix, StringComparison.Ordinal) && !l.StartsWith('#') && l.Length > 0)
            .Where(l => !l[prefix.Length..].StartsWith("export ", StringComparison.Ordinal)) // the shorthands: $T and $C are made in other places
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l[prefix.Length..], @"(tmp/container-[^/ ]+|containers/[0-9a-f]{64}|containers/\$ID|tmp/dry-run-[0-9a-f]{12}|\$[TC]\b)", "DIR"))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, "[0-9a-f]{64}", "ID"))
            .Where(l => !l.StartsWith("mv -T ", StringComparison.Ordinal)) // the real run makes its directory in tmp/ and renames it into place
            .Where(l => !l.StartsWith("mount -t overlay overlay -o ro,nosuid,nodev,lowerdir=", StringComparison.Ordinal)) // the view of minirun its stage runs from
            .ToList();
        Assert.Equal(Calls(explained.Stderr, "+ "), Calls(dryRun.Stdout[(dryRun.Stdout.IndexOf("status=125\n", StringComparison.Ordinal) + 11)..], ""));
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
