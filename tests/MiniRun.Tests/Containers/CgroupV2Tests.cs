using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Containers;

/// <summary>
/// The cgroup v2 code path on the kernel's real cgroup2 hierarchy, forced with $MINIRUN_CGROUP=v2 (on a hybrid machine
/// the default is v1). A limit whose controller the cgroup2 root does not offer must fail in one line, naming it.
/// </summary>
public class CgroupV2Tests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private static readonly Dictionary<string, string> ForceV2 = new() { [CgroupDetector.OverrideVariable] = "v2" };

    private static CgroupV2Manager Manager => new(CgroupDetector.ReadLayout().V2MountPoint!);

    private MiniRunCli.Result Run(params string[] args) => fixture.Cli.RunWithEnvironment(ForceV2, ["run", "--rm", .. args]);

    [CgroupV2Fact]
    public void Run_ForcedV2_CommandIsInItsOwnCgroupWhichIsRemovedAfter()
    {
        // Inside its own cgroup namespace: "0::/", and its group's cgroup.procs (the root of /sys/fs/cgroup) lists it.
        var result = Run(fixture.Image, "sh", "-c", "hostname; grep ^0:: /proc/self/cgroup; grep -cx $$ /sys/fs/cgroup/cgroup.procs");

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Stdout.Trim().Split('\n');
        Assert.Matches("^[0-9a-f]{12}$", lines[0]);
        Assert.Equal(["0::/", "1"], lines[1..]);
        string parent = Path.Combine(Manager.MountPoint, CgroupNames.Parent);
        Assert.Empty(Directory.GetDirectories(parent, lines[0] + "*"));
    }

    [CgroupV2Fact]
    public void Run_ForcedV2_MemoryLimit_KillsOrNamesTheMissingController()
    {
        var result = Run("--memory", "32m", fixture.Image, "dd", "if=/dev/zero", "of=/dev/null", "bs=80M", "count=1");

        if (Manager.Controllers.Contains("memory"))
            Assert.True(result.ExitCode == 137, result.ToString());
        else
        {
            Assert.Equal(125, result.ExitCode);
            Assert.Equal($"minirun: --memory needs the memory cgroup controller, which is not available in the cgroup v2 hierarchy at {Manager.MountPoint} (see `minirun doctor`)\n", result.Stderr);
        }
    }

    [CgroupV2Fact]
    public void Run_ForcedV2_PidsLimit_HoldsOrNamesTheMissingController()
    {
        var result = Run("--pids-limit", "12", fixture.Image, "sh", "-c",
            "(while true; do sleep 5 & done) 2>/dev/null; n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; echo $n");

        if (Manager.Controllers.Contains("pids"))
            Assert.InRange(int.Parse(result.Stdout.Trim()), 10, 12);
        else
        {
            Assert.Equal(125, result.ExitCode);
            Assert.Contains("--pids-limit needs the pids cgroup controller", result.Stderr);
        }
    }

    [CgroupV2Fact]
    public void Run_ForcedV2_FailedLimit_LeavesNoCgroupOrContainer()
    {
        HashSet<string> before = Children();

        Run("--cpus", "0.5", "--memory", "32m", "--pids-limit", "5", fixture.Image, "true");

        // Other test classes run containers meanwhile, each with a group here for as long as it runs: every group that
        // appeared must be gone soon; one this failed run left behind would stay.
        HashSet<string> appeared = Children();
        appeared.ExceptWith(before);
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (appeared.Any(Directory.Exists) && DateTime.UtcNow < deadline) Thread.Sleep(100);
        Assert.DoesNotContain(appeared, Directory.Exists);
    }

    private static HashSet<string> Children()
    {
        string parent = Path.Combine(Manager.MountPoint, CgroupNames.Parent);
        return Directory.Exists(parent) ? [.. Directory.GetDirectories(parent)] : [];
    }

    [CgroupV2Fact]
    public void Run_ForcedV2_NodeOfAHostDiskMadeInside_IsRefusedByTheDeviceProgram()
    {
        // The host's disk: a loop device holding a secret (this VM refuses even root a read of its own /dev/vda,
        // whatever cgroup; a loop device is a block device of the host all the same). The container has CAP_MKNOD.
        using var scratch = new TempDirectory("minirun-disk");
        string image = scratch.Combine("disk.img");
        byte[] content = new byte[65536];
        "SECRET-DISK"u8.CopyTo(content);
        File.WriteAllBytes(image, content);
        string loop = MiniRun.Fixtures.ExternalCommand.Run("losetup", ["-f", "--show", image]).Stdout.Trim();
        Assert.StartsWith("/dev/loop", loop);
        try
        {
            MiniRun.Native.FileStatus node = MiniRun.Native.Syscalls.LStat(loop);
            var result = Run(fixture.Image, "sh", "-c",
                $"mknod /disk b {node.RdevMajor} {node.RdevMinor} && echo made; head -c 11 /disk; echo; echo x > /dev/null && head -c 3 /dev/zero | wc -c");

            Assert.DoesNotContain("SECRET-DISK", result.Stdout);
            Assert.Equal(["made", "", "3"], result.Stdout.Split('\n', StringSplitOptions.TrimEntries)[..3]);
            Assert.Contains("/disk: Operation not permitted", result.Stderr);
        }
        finally
        {
            MiniRun.Fixtures.ExternalCommand.Run("losetup", ["-d", loop]);
        }
    }

    [CgroupV2Fact]
    public void Run_ForcedV2_SysFsCgroup_IsTheContainersGroupReadOnly()
    {
        var result = Run(fixture.Image, "sh", "-c",
            "grep ^0:: /proc/self/cgroup; grep -c ' /sys/fs/cgroup ro,.* - cgroup2 ' /proc/self/mountinfo; grep -cx $$ /sys/fs/cgroup/cgroup.procs; echo 0 > /sys/fs/cgroup/cgroup.procs");

        Assert.Equal(["0::/", "1", "1"], result.Stdout.Trim().Split('\n'));
        Assert.Contains("Read-only file system", result.Stderr);
    }

    [CgroupV2Fact]
    public void Doctor_ForcedV2_ReportsV2AndItsControllers()
    {
        var result = fixture.Cli.RunWithEnvironment(ForceV2, "doctor");

        Assert.Contains("cgroup v2 ", result.Stdout);
        Assert.Contains("devices", result.Stdout);
    }
}

/// <summary>A root test that needs a mounted cgroup2 hierarchy.</summary>
public sealed class CgroupV2FactAttribute : FactAttribute
{
    public CgroupV2FactAttribute()
    {
        if (!MiniRun.Native.Syscalls.IsRoot) Skip = "needs root: cgroups";
        else if (CgroupDetector.ReadLayout().V2MountPoint is null) Skip = "no cgroup2 filesystem is mounted";
    }
}
