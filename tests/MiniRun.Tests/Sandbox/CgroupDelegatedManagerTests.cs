using MiniRun.Native;
using MiniRun.Sandbox.Cgroups;
using MiniRun.Tests.Support;

namespace MiniRun.Tests.Sandbox;

/// <summary>
/// Rootless containers in the cgroup v2 group delegated to the user (CgroupDetector.Delegated): on a tree of the test's
/// own laid out as a cgroup2 mount, the user's group owned as systemd's Delegate=yes leaves it. This machine cannot show
/// the limits on the kernel: its cgroup2 holds hugetlb only, the other controllers being on v1, which no user may be given
/// (RootlessDelegatedCgroupTests places a rootless container in a real delegated group, without limits).
/// </summary>
public sealed class CgroupDelegatedManagerTests : IDisposable
{
    private const int User = 4242;
    private const string Group = "user.slice/user-4242.slice/user@4242.service/app.slice/run-u7.scope";
    private const string Name = "minirun/0123abcd";
    private readonly TempDirectory _mount = new("cgroup-delegated");

    public void Dispose() => _mount.Dispose();

    private string Delegated => _mount.Combine(Group);

    /// <summary>The mount's root and the user's group with <paramref name="controllers"/>, the group owned by <paramref name="owner"/>.</summary>
    private void Tree(string controllers, int owner, string procs = "")
    {
        File.WriteAllText(_mount.Combine("cgroup.controllers"), "cpuset cpu io memory hugetlb pids\n");
        Directory.CreateDirectory(Delegated);
        File.WriteAllText(Path.Combine(Delegated, "cgroup.controllers"), controllers + "\n");
        File.WriteAllText(Path.Combine(Delegated, "cgroup.procs"), procs);
        Syscalls.LChown(Delegated, owner, owner);
        Syscalls.LChown(Path.Combine(Delegated, "cgroup.procs"), owner, owner);
    }

    private CgroupV2Manager? Manager(string procSelfCgroup = "0::/" + Group + "\n", ISyscalls? sys = null) =>
        CgroupDetector.Delegated(new CgroupLayout(new Dictionary<string, string>(), _mount.Path), procSelfCgroup, User, sys);

    private static string Read(string dir, string file) => File.ReadAllText(Path.Combine(dir, file)).Trim();

    [RootFact]
    public void Delegated_UserOwnsItsGroup_ContainersGroupsAreBelowIt()
    {
        Tree("cpu memory pids", User);

        CgroupV2Manager manager = Assert.IsType<CgroupV2Manager>(Manager());
        var limits = new CgroupLimits { MemoryBytes = 64 << 20 };

        Assert.Equal(Delegated, manager.Root);
        Assert.Equal(_mount.Path, manager.MountPoint);
        Assert.Equal(["cpu", "memory", "pids"], manager.Controllers); // the delegated group's, not the mount's
        Assert.Equal([Path.Combine(Delegated, Name)], manager.Directories(Name));
        Assert.Equal(Path.Combine(Delegated, Name, CgroupNames.Leaf), manager.EarlyJoinDirectory(Name, limits));
        Assert.Equal(Path.Combine(Delegated, Name), manager.EarlyJoinDirectory(Name, new CgroupLimits()));
    }

    [RootFact]
    public void Delegated_CreateWithLimits_WritesThemAndEnablesControllersFromTheDelegatedGroupDown()
    {
        Tree("cpu memory pids", User);
        CgroupV2Manager manager = Manager()!;

        // Docker's device rules too: a user may load no device program, so none is attached (a fake tree would refuse it).
        manager.Create(Name, new CgroupLimits { MemoryBytes = 64 << 20, PidsLimit = 20, Cpus = 0.5, CpuShares = 512, Devices = DeviceRule.DockerDefaults() });

        string group = Path.Combine(Delegated, Name), leaf = Path.Combine(group, CgroupNames.Leaf);
        Assert.Equal("+memory +pids +cpu", Read(Delegated, "cgroup.subtree_control"));
        Assert.Equal("+memory +pids +cpu", Read(Path.Combine(Delegated, CgroupNames.Parent), "cgroup.subtree_control"));
        Assert.Equal("+memory +pids +cpu", Read(group, "cgroup.subtree_control")); // for the container's leaf
        Assert.False(File.Exists(_mount.Combine("cgroup.subtree_control"))); // nothing above the user's group is written
        Assert.Equal("67108864", Read(group, "memory.max"));
        Assert.Equal("20", Read(group, "pids.max"));
        Assert.Equal("50000 100000", Read(group, "cpu.max"));
        Assert.Equal("20", Read(group, "cpu.weight"));
        foreach (string file in new[] { "memory.max", "pids.max", "cpu.max", "cpu.weight" }) Assert.Equal(Read(group, file), Read(leaf, file));
    }

    [RootFact]
    public void Delegated_ControllerNotDelegated_IsRefusedInOneLine_AndNothingIsWritten()
    {
        Tree("memory pids", User);
        CgroupV2Manager manager = Manager()!;
        var limits = new CgroupLimits { MemoryBytes = 64 << 20, Cpus = 1 };

        string? refusal = CgroupDelegation.Read(_mount.Path, "0::/" + Group + "\n", User).Refusal(limits);
        var e = Assert.Throws<MiniRunException>(() => manager.Create(Name, limits));

        Assert.Equal("--cpus/--cpu-shares needs the cpu controller in a cgroup v2 subtree delegated to the user, and the delegated cgroup holds memory, pids; " +
            "run without it, or as root (see minirun doctor)", refusal);
        Assert.Equal($"--cpus/--cpu-shares needs the cpu cgroup controller, which is not available in the cgroup v2 hierarchy at {Delegated} (see `minirun doctor`)", e.Message);
        Assert.False(File.Exists(Path.Combine(Delegated, "cgroup.subtree_control")));
        Assert.False(Directory.Exists(Path.Combine(Delegated, CgroupNames.Parent)));
        Assert.Null(CgroupDelegation.Read(_mount.Path, "0::/" + Group + "\n", User).Refusal(limits with { Cpus = null })); // memory alone is taken
    }

    [RootFact]
    public void Delegated_GroupOwnedByRoot_GivesNoManager()
    {
        Tree("cpu memory pids", 0);

        Assert.Null(Manager());
    }

    [RootFact]
    public void Delegated_GroupHoldsProcesses_TheyMoveToTheSessionGroupBeforeAnyContainer()
    {
        Tree("memory pids", User);
        var sys = new RecordingSyscalls();
        sys.KernelFiles[Path.Combine(Delegated, "cgroup.procs")] = "812\n907\n";

        CgroupV2Manager manager = Manager(sys: sys)!;

        string aside = Path.Combine(Delegated, CgroupNames.Session);
        Assert.Equal([$"mkdir -p {aside}", $"write-kernel {aside}/cgroup.procs 812", $"write-kernel {aside}/cgroup.procs 907"], sys.Calls);
        Assert.Equal(Delegated, manager.Root);
    }

    [RootFact]
    public void Delegated_GroupWithoutProcesses_MovesNothing()
    {
        Tree("memory pids", User);
        var sys = new RecordingSyscalls();
        sys.KernelFiles[Path.Combine(Delegated, "cgroup.procs")] = "";

        Assert.NotNull(Manager(sys: sys));
        Assert.Empty(sys.Calls);
    }

    [RootFact]
    public void Read_ProcessInTheSessionGroup_GivesTheDelegatedGroupAbove()
    {
        Tree("memory pids", User);
        string aside = Path.Combine(Delegated, CgroupNames.Session);
        Directory.CreateDirectory(aside);
        Syscalls.LChown(aside, User, User);

        CgroupDelegation delegation = CgroupDelegation.Read(_mount.Path, $"0::/{Group}/{CgroupNames.Session}\n", User);
        CgroupV2Manager manager = Manager($"0::/{Group}/{CgroupNames.Session}\n")!;

        Assert.Null(delegation.Why);
        Assert.Equal(Delegated, delegation.Directory);
        Assert.Equal(Delegated, manager.Root); // not minirun-session/minirun-session: a second command finds the same group
    }

    [RootFact]
    public void MoveProcessesAside_RealGroupHoldingAProcess_MovesItToTheSessionGroup()
    {
        string mount = Assert.IsType<string>(CgroupDetector.ReadLayout().V2MountPoint);
        string group = Path.Combine(mount, "minirun-test-aside-" + Guid.NewGuid().ToString("N")[..8]), aside = Path.Combine(group, CgroupNames.Session);
        Directory.CreateDirectory(group);
        using var sleeper = System.Diagnostics.Process.Start("sleep", "60");
        try
        {
            KernelFiles.Write(Path.Combine(group, "cgroup.procs"), sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // This machine's groups below the mount are given no controller (hybrid): the record names one, so that the move is due.
            new CgroupDelegation(group, ["hugetlb"], null).MoveProcessesAside(LinuxSyscalls.Instance);

            Assert.Equal("", Read(group, "cgroup.procs"));
            Assert.Equal(sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Read(aside, "cgroup.procs"));
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
            for (int i = 0; i < 100 && Directory.Exists(group); i++)
            {
                KernelFiles.TryRemoveDirectory(aside);
                KernelFiles.TryRemoveDirectory(group);
                if (Directory.Exists(group)) Thread.Sleep(10);
            }
        }
        Assert.False(Directory.Exists(group));
    }

    [Fact]
    public void HoldsProcesses_SaysWhyAndHowToGetAGroupInOneLine()
    {
        string message = CgroupDelegation.HoldsProcesses("/sys/fs/cgroup/user.slice/x.scope", "+memory +pids").Message;

        Assert.DoesNotContain('\n', message);
        Assert.Contains("holds processes", message);
        Assert.EndsWith("systemd-run --user --scope -p Delegate=yes minirun …", message);
    }
}
