using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Sandbox;

public class CgroupLayoutTests
{
    private const string Hybrid = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    private const string UnifiedOnly = "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

    [Fact]
    public void Parse_Hybrid_FindsV1ControllersAndTheCgroup2Mount()
    {
        CgroupLayout layout = CgroupLayout.Parse(Hybrid);

        Assert.Equal("hybrid", layout.Kind);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", layout.V1Controllers["cpu"]);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", layout.V1Controllers["cpuacct"]);
        Assert.Equal(["cpu", "cpuacct", "memory", "pids"], layout.V1Controllers.Keys.Order());
        Assert.Equal("/sys/fs/cgroup/unified", layout.V2MountPoint);
    }

    [Fact]
    public void Choose_Hybrid_IsV1UnlessForced()
    {
        CgroupLayout layout = CgroupLayout.Parse(Hybrid);

        Assert.Equal("v1", CgroupDetector.Choose(layout, null)!.Version);
        Assert.Equal("v2", CgroupDetector.Choose(layout, "v2")!.Version);
        Assert.Throws<MiniRunException>(() => CgroupDetector.Choose(layout, "v3"));
    }

    [Fact]
    public void Choose_UnifiedOnly_IsV2AndV1CannotBeForced()
    {
        CgroupLayout layout = CgroupLayout.Parse(UnifiedOnly);

        Assert.Equal("v2", layout.Kind);
        Assert.Equal("v2", CgroupDetector.Choose(layout, null)!.Version);
        Assert.Throws<MiniRunException>(() => CgroupDetector.Choose(layout, "v1"));
    }

    [Fact]
    public void Choose_NoCgroupFilesystem_IsNull()
    {
        Assert.Null(CgroupDetector.Choose(CgroupLayout.Parse("22 1 0:5 / /proc rw - proc proc rw\n"), null));
    }
}
