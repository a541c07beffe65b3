using System.Diagnostics;
using System.Text.Json;
using MiniRun.Fixtures;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Containers;

/// <summary>
/// Issue 14, finding 2, written as the attack: from a default container, a user namespace mapping 0 to 0 and a cgroup
/// namespace of its own (`unshare -U -C -m`), mount cgroupfs and reach the host's groups or raise the container's own
/// limits. Run with seccomp off too: the cgroup namespace, the unified group and the limits' leaf must hold alone.
/// Also /sys/fs/cgroup inside: read-only, the container's own groups.
/// </summary>
public class CgroupNamespaceTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    /// <summary>Extra run arguments of the attack runs: seccomp off, so that nothing but the cgroup side blocks them.</summary>
    private static readonly string[] SeccompOff = ["--security-opt", "seccomp=unconfined"];

    private MiniRunCli Cli => fixture.Cli;

    /// <summary>
    /// unshare(CLONE_NEWUSER | CLONE_NEWCGROUP | CLONE_NEWNS), uid and gid 0 mapped to 0 (its own ids, which needs no
    /// privilege), then the command: busybox may lack `unshare -C`, so the test builds this with the host's compiler.
    /// </summary>
    private const string UnshareProbe = """
        #define _GNU_SOURCE
        #include <fcntl.h>
        #include <sched.h>
        #include <stdio.h>
        #include <string.h>
        #include <unistd.h>
        static void put(const char *path, const char *text) {
            int fd = open(path, O_WRONLY);
            if (fd < 0 || write(fd, text, strlen(text)) < 0) { perror(path); _exit(120); }
            close(fd);
        }
        int main(int argc, char **argv) {
            if (unshare(CLONE_NEWUSER | CLONE_NEWCGROUP | CLONE_NEWNS) != 0) { perror("unshare"); return 121; }
            put("/proc/self/setgroups", "deny");
            put("/proc/self/uid_map", "0 0 1");
            put("/proc/self/gid_map", "0 0 1");
            execv(argv[1], argv + 1);
            perror("execv");
            return 122;
        }
        """;

    private static string BuildProbe(TempDirectory layer)
    {
        StaticProgram.Build(UnshareProbe, layer.Combine("unshare-probe"));
        return layer.Path;
    }

    [RootFact]
    public void Run_UserAndCgroupNamespace_CannotKillAHostCgroup()
    {
        string? unified = CgroupDetector.ReadLayout().V2MountPoint;
        if (unified is null) return; // nothing to reach without a cgroup2 mount
        using var layer = new TempDirectory("minirun-probe");
        BuildProbe(layer);
        string group = Path.Combine(unified, "minirun-test-victim-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(group);
        using Process victim = Process.Start(new ProcessStartInfo("sleep", "300"))!;
        try
        {
            File.WriteAllText(Path.Combine(group, "cgroup.procs"), victim.Id.ToString());
            string target = "/tmp/u/" + Path.GetFileName(group);
            // The attack: mount cgroup2 from its own cgroup namespace and write 1 to the host group's cgroup.kill.
            string attack = $"mkdir -p /tmp/u && mount -t cgroup2 none /tmp/u && ls /tmp/u | grep -c minirun-test-victim; echo 1 > {target}/cgroup.kill && echo KILLED";
            MiniRunCli.Result result = Cli.Run(["run", "--rm", "--layer", layer.Path, .. SeccompOff, fixture.Image, "/unshare-probe", "/bin/sh", "-c", attack]);

            Thread.Sleep(100); // cgroup.kill is asynchronous
            Assert.False(victim.HasExited, "the host process in " + group + " was killed from inside a container: " + result);
            Assert.DoesNotContain("KILLED", result.Stdout);
            Assert.StartsWith("0\n", result.Stdout); // the host's groups are not even visible
        }
        finally
        {
            if (!victim.HasExited) victim.Kill();
            victim.WaitForExit();
            for (int i = 0; i < 100 && Directory.Exists(group); i++, Thread.Sleep(20))
                try { Directory.Delete(group); } catch (IOException) { }
        }
    }

    [RootFact]
    public void Run_UserAndCgroupNamespace_CannotRaiseItsOwnPidsLimit()
    {
        ICgroupManager cgroups = CgroupDetector.Detect()!;
        if (!cgroups.Controllers.Contains("pids")) return;
        using var layer = new TempDirectory("minirun-probe");
        BuildProbe(layer);
        string name = "pidsraise-" + Guid.NewGuid().ToString("N")[..8];
        string mount = cgroups.Version == "v2" ? "mount -t cgroup2 none /tmp/p" : "mount -t cgroup -o pids none /tmp/p";
        try
        {
            // The attack: mount the pids hierarchy from its own cgroup namespace and raise pids.max at its root.
            var run = Cli.Run(["run", "-d", "--name", name, "--pids-limit", "20", "--layer", layer.Path, .. SeccompOff, fixture.Image, "sh", "-c",
                $"/unshare-probe /bin/sh -c 'mkdir -p /tmp/p && {mount} && cat /tmp/p/pids.max && echo 1000 > /tmp/p/pids.max && cat /tmp/p/pids.max' > /out 2>&1; touch /done; sleep 60"]);
            Assert.True(run.ExitCode == 0, run.ToString());
            for (int i = 0; i < 250 && Cli.Run("exec", name, "test", "-e", "/done").ExitCode != 0; i++) Thread.Sleep(20);
            using JsonDocument inspect = JsonDocument.Parse(Cli.Run("inspect", name).Stdout);
            string id = inspect.RootElement[0].GetProperty("Id").GetString()!;
            string pidsDir = cgroups.Directories(CgroupNames.For(id)).First(d => File.Exists(Path.Combine(d, "pids.max")));

            Assert.True(File.ReadAllText(Path.Combine(pidsDir, "pids.max")).Trim() == "20",
                "the host's pids.max of the container was raised from inside: " + Cli.Run("exec", name, "cat", "/out").Stdout);
            // And it holds: a fork storm stops at 20.
            string count = Cli.Run("exec", name, "sh", "-c", "(while true; do sleep 5 & done) 2>/dev/null; n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; echo $n").Stdout;
            Assert.InRange(int.Parse(count.Trim()), 2, 20);
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void Run_SysFsCgroup_IsReadOnlyAndShowsTheContainersOwnGroups()
    {
        ICgroupManager cgroups = CgroupDetector.Detect()!;
        string pidsMax = cgroups.Version == "v2" ? "/sys/fs/cgroup/pids.max" : "/sys/fs/cgroup/pids/pids.max";
        bool pids = cgroups.Controllers.Contains("pids");
        var result = Cli.Run("run", "--rm", "--pids-limit", pids ? "33" : "0", fixture.Image, "sh", "-c",
            $"grep -c -v ':/$' /proc/self/cgroup; {(pids ? "cat " + pidsMax : "echo 33")}; touch /sys/fs/cgroup/x 2>&1; " +
            "for f in /sys/fs/cgroup/*/cgroup.procs /sys/fs/cgroup/cgroup.procs; do [ -e $f ] && { echo 0 > $f; } 2>&1; done | sort -u");

        string[] lines = result.Stdout.Trim().Split('\n');
        Assert.Equal("0", lines[0]); // every hierarchy: "/" at the root of its own cgroup namespace
        Assert.Equal("33", lines[1]);
        Assert.Contains("Read-only file system", lines[2]);
        Assert.All(lines[3..], l => Assert.Contains("Read-only file system", l));
        Assert.NotEmpty(lines[3..]);
    }
}
