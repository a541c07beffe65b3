using MiniRun.Explain;
using MiniRun.Native;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Sandbox;

/// <summary>/sys/fs/cgroup inside the container, as mount records: Docker's layout for each cgroup version.</summary>
public class CgroupMountsTests
{
    private const string Hybrid = """
        30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
        34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
        40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
        """;

    [Fact]
    public void Parse_Hybrid_ListsEachHierarchyWithTheOptionsThatSelectIt()
    {
        Assert.Equal(
            [new("/sys/fs/cgroup/cpu,cpuacct", "cpu,cpuacct"), new("/sys/fs/cgroup/memory", "memory"), new("/sys/fs/cgroup/pids", "pids"),
             new CgroupV1Mount("/sys/fs/cgroup/systemd", "xattr,name=systemd")],
            CgroupLayout.Parse(Hybrid).V1Mounts);
    }

    [Fact]
    public void Cgroups_Hybrid_TmpfsThenEachHierarchyThenUnifiedAllReadOnly()
    {
        List<MountRecord> mounts = CgroupMounts.Cgroups("/r", CgroupLayout.Parse(Hybrid).V1Mounts, unified: true, privileged: false);

        Assert.Equal(
        [
            "mount -t tmpfs tmpfs -o nosuid,nodev,noexec,mode=755 /r/sys/fs/cgroup",
            "mount -t cgroup cgroup -o ro,nosuid,nodev,noexec,cpu,cpuacct /r/sys/fs/cgroup/cpu,cpuacct",
            "mount -t cgroup cgroup -o ro,nosuid,nodev,noexec,memory /r/sys/fs/cgroup/memory",
            "mount -t cgroup cgroup -o ro,nosuid,nodev,noexec,pids /r/sys/fs/cgroup/pids",
            "mount -t cgroup cgroup -o ro,nosuid,nodev,noexec,xattr,name=systemd /r/sys/fs/cgroup/systemd",
            "mount -t cgroup2 cgroup2 -o ro,nosuid,nodev,noexec /r/sys/fs/cgroup/unified",
            "mount -o remount,bind,ro,nosuid,nodev,noexec /r/sys/fs/cgroup",
        ], mounts.Select(m => m.ToShellCommand()));
    }

    [Fact]
    public void Cgroups_V2_OneReadOnlyCgroup2Mount()
    {
        Assert.Equal([new MountRecord("cgroup2", "cgroup2", "/r/sys/fs/cgroup", MountFlags.ReadOnly | MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec)],
            CgroupMounts.Cgroups("/r", [], unified: true, privileged: false));
    }

    [Fact]
    public void Cgroups_Privileged_ReadWriteAsDocker()
    {
        List<MountRecord> mounts = CgroupMounts.Cgroups("/r", CgroupLayout.Parse(Hybrid).V1Mounts, unified: true, privileged: true);

        Assert.DoesNotContain(mounts, m => m.Flags.HasFlag(MountFlags.ReadOnly) || m.IsRemount);
        Assert.Equal(6, mounts.Count);
    }

    [Fact]
    public void Cgroups_NoCgroupFilesystem_NoMounts()
    {
        Assert.Empty(CgroupMounts.Cgroups("/r", [], unified: false, privileged: false));
    }

    [Fact]
    public void ProcessDirectories_V1WithPidsLimit_PutsTheContainerInALeafOfThePidsHierarchyOnly()
    {
        var manager = new CgroupV1Manager(new Dictionary<string, string> { ["pids"] = "/c/pids", ["memory"] = "/c/memory" }, unifiedMountPoint: "/c/unified");

        Assert.Equal(new[] { "/c/memory/minirun/x", "/c/pids/minirun/x/container", "/c/unified/minirun/x" },
            manager.ProcessDirectories("minirun/x", new CgroupLimits { PidsLimit = 5 }).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "/c/memory/minirun/x/tasks", "/c/pids/minirun/x/tasks" }, manager.SelfJoinFiles("minirun/x", new CgroupLimits()).Order(StringComparer.Ordinal));
        Assert.Equal("/c/unified/minirun/x", manager.EarlyJoinDirectory("minirun/x", new CgroupLimits()));
    }
}
