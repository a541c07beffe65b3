using System.Diagnostics;
using MiniRun.Native;
using MiniRun.Sandbox.Cgroups;
using MiniRun.Tests.Support;

namespace MiniRun.Tests.Rootless;

/// <summary>
/// A rootless container in a real cgroup v2 group delegated to its user: the test makes a group below the cgroup2 mount,
/// chowns it to the user as systemd's Delegate=yes does (the directory, cgroup.procs, cgroup.subtree_control,
/// cgroup.threads), and starts minirun inside it. On this machine the cgroup2 mount enables no controller for its
/// children (hybrid: they are all on v1), so the group carries no limit: placement, pause, top, stats and removal are
/// proven here, the limits' files on a test-made tree (CgroupDelegatedManagerTests).
/// </summary>
[Collection(RootlessCollection.Name)]
public class RootlessDelegatedCgroupTests
{
    [RootFact]
    public void Run_UserInDelegatedGroup_ContainerHasItsGroupBelow_PauseTopStatsWork_RmRemovesIt()
    {
        string mount = Assert.IsType<string>(CgroupDetector.ReadLayout().V2MountPoint);
        using var session = new RootlessSession();
        session.LoadMinibox();
        string delegated = Path.Combine(mount, "minirun-test-delegated-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(delegated);
        try
        {
            (int uid, int gid) = RootlessUsers.Ids(session.User);
            foreach (string file in new[] { "", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads" })
                Syscalls.LChown(Path.Combine(delegated, file), uid, gid);

            string id = RunIn(session, delegated, "run", "-d", "--name", "rl-delegated", "minibox", "sleep", "300").Stdout.Trim();
            string group = Path.Combine(delegated, CgroupNames.Parent, id);
            uint? owner = Syscalls.TryStat(group)?.Uid;
            int[] pids = [.. File.ReadAllText(Path.Combine(group, "cgroup.procs")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
            string[] lines = [.. pids.Select(p => File.ReadAllLines($"/proc/{p}/cgroup").Single(l => l.StartsWith("0::", StringComparison.Ordinal)))];
            MiniRunCli.Result exec = RunIn(session, delegated, "exec", "rl-delegated", "cat", "/proc/self/cgroup");
            MiniRunCli.Result doctor = RunIn(session, delegated, ok: false, "doctor");
            MiniRunCli.Result top = RunIn(session, delegated, "top", "rl-delegated");
            RunIn(session, delegated, "pause", "rl-delegated");
            string frozen = File.ReadAllText(Path.Combine(group, "cgroup.events"));
            string paused = RunIn(session, delegated, "inspect", "-f", "{{.State.Status}}", "rl-delegated").Stdout.Trim();
            RunIn(session, delegated, "unpause", "rl-delegated");
            string thawed = File.ReadAllText(Path.Combine(group, "cgroup.events"));
            MiniRunCli.Result stats = RunIn(session, delegated, "stats", "--no-stream", "rl-delegated");
            MiniRunCli.Result limited = RunIn(session, delegated, ok: false, "run", "--rm", "--memory", "64m", "minibox", "true");
            RunIn(session, delegated, "rm", "-f", "rl-delegated");

            // The container's PID 1, in its own group below the user's, not in the user's.
            Assert.Equal([$"0::/{Path.GetRelativePath(mount, group)}"], lines);
            Assert.Equal((uint)uid, owner); // made by the user's minirun, in the user's group
            // exec'd into the same group, the root of the container's cgroup namespace (the v1 lines: the host's, hybrid)
            Assert.Equal("0::/", exec.Stdout.Split('\n').Single(l => l.StartsWith("0::", StringComparison.Ordinal)));
            Assert.Contains($"{delegated} is delegated to uid {uid} with []: rootless containers get their cgroup in {delegated}/minirun (pause, stats, top); " +
                "without the memory, pids, cpu controllers they refuse --memory, --pids-limit, --cpus/--cpu-shares", doctor.Stdout);
            Assert.Contains("sleep 300", top.Stdout);
            Assert.Contains("frozen 1", frozen);
            Assert.Equal("paused", paused);
            Assert.Contains("frozen 0", thawed);
            Assert.Contains("rl-delegated", stats.Stdout);
            Assert.Equal(125, limited.ExitCode);
            Assert.Equal("minirun: --memory needs the memory controller in a cgroup v2 subtree delegated to the user, and the delegated cgroup holds no controller; " +
                "run without it, or as root (see minirun doctor)", limited.Stderr.Trim());
            Assert.False(Directory.Exists(group)); // rm removed it
        }
        finally
        {
            session.Run("rm", "-f", "rl-delegated");
            RemoveGroup(delegated);
        }
    }

    /// <summary>`minirun args…` as the session's user, from a process the test first put in <paramref name="group"/>.</summary>
    private static MiniRunCli.Result RunIn(RootlessSession session, string group, params string[] args) => RunIn(session, group, ok: true, args);

    private static MiniRunCli.Result RunIn(RootlessSession session, string group, bool ok, params string[] args)
    {
        var psi = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string arg in (string[])["-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", group, "runuser", "-u", session.User, "--", "env", "-i",
                     $"HOME={session.Home}", $"XDG_DATA_HOME={Path.Combine(session.Home, "data")}", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                     $"MINIRUN_NETWORK={session.Network}", Path.Combine(session.Directory, "minirun"), .. args])
            psi.ArgumentList.Add(arg);
        psi.WorkingDirectory = session.Directory;
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"minirun {string.Join(' ', args)} in {group} did not finish in 60 s");
        }
        var result = new MiniRunCli.Result(process.ExitCode, stdout.Result, stderr.Result);
        Assert.True(!ok || result.ExitCode == 0, $"minirun {string.Join(' ', args)} in {group}: {result}");
        return result;
    }

    /// <summary>Every process left in the group killed (cgroup.kill: the user's pause process, a supervisor), then its groups, deepest first.</summary>
    private static void RemoveGroup(string group)
    {
        if (!Directory.Exists(group)) return;
        KernelFiles.Write(Path.Combine(group, "cgroup.kill"), "1");
        for (int i = 0; i < 200 && Syscalls.TryStat(group) is not null; i++)
        {
            foreach (string dir in Directory.EnumerateDirectories(group, "*", SearchOption.AllDirectories).Reverse().Append(group))
                KernelFiles.TryRemoveDirectory(dir);
            Thread.Sleep(10);
        }
        Assert.False(Directory.Exists(group), $"{group} is left behind");
    }
}
