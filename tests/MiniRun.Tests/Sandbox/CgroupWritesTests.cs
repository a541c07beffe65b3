using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Sandbox;

/// <summary>
/// The exact files and values each cgroup version writes, checked against ordinary directories standing in for the
/// hierarchies (no root needed); the real kernel runs the same code in IsolationTests and CgroupV2Tests.
/// </summary>
public class CgroupWritesTests
{
    private const string Name = "minirun/abc";

    private static readonly CgroupLimits Limits = new()
    {
        MemoryBytes = 32 << 20,
        PidsLimit = 12,
        Cpus = 0.5,
        CpuShares = 512,
        Devices = DeviceRule.DockerDefaults(),
    };

    private static string Read(string dir, string file) => File.ReadAllText(Path.Combine(dir, file));

    [Fact]
    public void V1Create_AllLimits_WritesEachControllersFiles()
    {
        using var root = new TempDirectory();
        var mounts = new Dictionary<string, string>
        {
            ["memory"] = root.Combine("memory"), ["pids"] = root.Combine("pids"), ["cpu"] = root.Combine("cpu,cpuacct"),
            ["cpuacct"] = root.Combine("cpu,cpuacct"), ["devices"] = root.Combine("devices"),
        };
        Directory.CreateDirectory(Path.Combine(mounts["memory"], Name));
        File.WriteAllText(Path.Combine(mounts["memory"], Name, "memory.memsw.limit_in_bytes"), "");
        var manager = new CgroupV1Manager(mounts);

        manager.Create(Name, Limits);

        Assert.Equal("33554432", Read(Path.Combine(mounts["memory"], Name), "memory.limit_in_bytes"));
        Assert.Equal("33554432", Read(Path.Combine(mounts["memory"], Name), "memory.memsw.limit_in_bytes"));
        Assert.Equal("12", Read(Path.Combine(mounts["pids"], Name), "pids.max"));
        Assert.Equal("100000", Read(Path.Combine(mounts["cpu"], Name), "cpu.cfs_period_us"));
        Assert.Equal("50000", Read(Path.Combine(mounts["cpu"], Name), "cpu.cfs_quota_us"));
        Assert.Equal("512", Read(Path.Combine(mounts["cpu"], Name), "cpu.shares"));
        // One rule per write, as `echo` writes it: here, in an ordinary file, one per line, in Docker's order.
        Assert.Equal("a\n", Read(Path.Combine(mounts["devices"], Name), "devices.deny"));
        Assert.Equal(Limits.Devices.Where(rule => rule.Allow).Select(rule => rule.ToV1Line()),
            File.ReadAllLines(Path.Combine(mounts["devices"], Name, "devices.allow")));
        Assert.Equal(4, manager.Directories(Name).Count); // cpu and cpuacct share one hierarchy
    }

    [Fact]
    public void V1Create_MissingController_NamesTheFlagAndController()
    {
        using var root = new TempDirectory();
        var manager = new CgroupV1Manager(new Dictionary<string, string> { ["memory"] = root.Combine("memory") });

        var e = Assert.Throws<MiniRunException>(() => manager.Create(Name, new CgroupLimits { PidsLimit = 5 }));

        Assert.Contains("--pids-limit needs the pids cgroup controller", e.Message);
        Assert.False(Directory.Exists(root.Combine("memory", Name)));
    }

    [Fact]
    public void V1Create_EmptyCpuset_CopiesCpusAndMemsDownAndAsksTheKernelToNextTime()
    {
        using var root = new TempDirectory();
        string cpuset = root.Combine("cpuset");
        Directory.CreateDirectory(cpuset);
        File.WriteAllText(Path.Combine(cpuset, "cpuset.cpus"), "0-1\n");
        File.WriteAllText(Path.Combine(cpuset, "cpuset.mems"), "0\n");
        var manager = new CgroupV1Manager(new Dictionary<string, string> { ["cpuset"] = cpuset });

        manager.Create(Name, new CgroupLimits());

        // A task cannot join a cpuset cgroup without CPUs and memory nodes: copied level by level, as runc does.
        Assert.Equal("0-1", Read(Path.Combine(cpuset, "minirun"), "cpuset.cpus"));
        Assert.Equal("0", Read(Path.Combine(cpuset, Name), "cpuset.mems"));
        Assert.Equal("0-1", Read(Path.Combine(cpuset, Name), "cpuset.cpus"));
        // From then on the kernel copies them into each new container's cgroup when it is made.
        Assert.Equal("1", Read(Path.Combine(cpuset, "minirun"), "cgroup.clone_children"));
    }

    [Fact]
    public void V1Create_CpusetAlreadyFilled_LeavesItAlone()
    {
        using var root = new TempDirectory();
        string leaf = root.Combine("cpuset", Name);
        Directory.CreateDirectory(leaf);
        File.WriteAllText(Path.Combine(leaf, "cpuset.cpus"), "1\n"); // as the kernel fills it under clone_children
        File.WriteAllText(Path.Combine(leaf, "cpuset.mems"), "0\n");
        File.WriteAllText(root.Combine("cpuset", "minirun", "cgroup.clone_children"), "1\n"); // how the kernel came to fill it
        var manager = new CgroupV1Manager(new Dictionary<string, string> { ["cpuset"] = root.Combine("cpuset") });

        manager.Create(Name, new CgroupLimits());

        Assert.Equal("1\n", Read(leaf, "cpuset.cpus"));
        Assert.Equal("1\n", Read(root.Combine("cpuset", "minirun"), "cgroup.clone_children"));
        Assert.False(File.Exists(root.Combine("cpuset", "minirun", "cpuset.cpus"))); // nothing copied, nothing written
    }

    [Fact]
    public void V2Create_AllLimits_EnablesControllersAndWritesUnifiedFiles()
    {
        using var root = new TempDirectory();
        File.WriteAllText(root.Combine("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
        Directory.CreateDirectory(root.Combine(Name));
        File.WriteAllText(root.Combine(Name, "memory.swap.max"), "");
        var manager = new CgroupV2Manager(root.Path);

        // The device program needs a real cgroup to attach to: CgroupV2Tests attaches it on the kernel's.
        manager.Create(Name, Limits with { Devices = [] });

        string dir = root.Combine(Name);
        Assert.Equal("+memory +pids +cpu", Read(root.Path, "cgroup.subtree_control"));
        Assert.Equal("+memory +pids +cpu", Read(root.Combine("minirun"), "cgroup.subtree_control"));
        Assert.Equal("+memory +pids +cpu", Read(dir, "cgroup.subtree_control")); // for the container's leaf
        foreach (string file in new[] { "memory.max", "pids.max", "cpu.max", "cpu.weight" }) // the leaf mirrors each limit
            Assert.Equal(Read(dir, file), Read(Path.Combine(dir, CgroupNames.Leaf), file));
        Assert.Equal("33554432", Read(dir, "memory.max"));
        Assert.Equal("0", Read(dir, "memory.swap.max"));
        Assert.Equal("12", Read(dir, "pids.max"));
        Assert.Equal("50000 100000", Read(dir, "cpu.max"));
        Assert.Equal("20", Read(dir, "cpu.weight")); // runc: 1 + (512 - 2) * 9999 / 262142
        Assert.False(File.Exists(Path.Combine(dir, "devices.allow"))); // v2 devices are BPF, not files
    }

    [Fact]
    public void V2Create_ControllerBoundToV1_IsRefusedNamingIt()
    {
        using var root = new TempDirectory();
        File.WriteAllText(root.Combine("cgroup.controllers"), "hugetlb\n");
        var manager = new CgroupV2Manager(root.Path);

        var e = Assert.Throws<MiniRunException>(() => manager.Create(Name, new CgroupLimits { MemoryBytes = 32 << 20 }));

        Assert.Contains("--memory needs the memory cgroup controller", e.Message);
        Assert.Contains("v2", e.Message);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(1024, 39)]
    [InlineData(262144, 10000)]
    public void SharesToWeight_IsRuncsConversion(long shares, long weight)
    {
        Assert.Equal(weight, CgroupLimits.SharesToWeight(shares));
    }

    [Fact]
    public void DeviceRule_V1Lines_AreKernelSyntax()
    {
        Assert.Equal(["a", "c *:* m", "b *:* m", "c 1:3 rwm"], DeviceRule.DockerDefaults().Take(4).Select(r => r.ToV1Line()));
    }
}
