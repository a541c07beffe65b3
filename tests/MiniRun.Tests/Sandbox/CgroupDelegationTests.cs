using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Sandbox;

/// <summary>
/// Rootless limits: what a cgroup v2 subtree delegated to a user allows, read from a tree of the test's own (a directory
/// standing for the cgroup2 mount, owned as systemd's Delegate=yes leaves a user's). This machine cannot show a real
/// delegation: its cgroup2 mount holds only hugetlb, the other controllers being on v1, which no user may be given.
/// </summary>
public sealed class CgroupDelegationTests : IDisposable
{
    private const int User = 4242;
    private const string Group = "user.slice/user-4242.slice/user@4242.service/app.slice";
    private readonly TempDirectory _root = new("cgroup-delegation");

    public void Dispose() => _root.Dispose();

    /// <summary>The user's group with these controllers enabled for it, owned by <paramref name="owner"/>.</summary>
    private string Tree(string controllers, int owner)
    {
        string directory = _root.Combine(Group);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "cgroup.controllers"), controllers + "\n");
        File.WriteAllText(Path.Combine(directory, "cgroup.procs"), "");
        MiniRun.Native.Syscalls.LChown(directory, owner, owner);
        MiniRun.Native.Syscalls.LChown(Path.Combine(directory, "cgroup.procs"), owner, owner);
        return directory;
    }

    private static CgroupDelegation Read(string root) => CgroupDelegation.Read(root, $"1:cpu:/\n0::/{Group}\n", User);

    [RootFact]
    public void Read_DelegatedGroupWithMemoryAndPids_AllowsThoseLimits()
    {
        Tree("cpuset cpu io memory pids", User);
        CgroupDelegation delegation = Read(_root.Path);

        Assert.Null(delegation.Why);
        Assert.Null(delegation.Refusal(new CgroupLimits { MemoryBytes = 64 << 20, PidsLimit = 100, Cpus = 0.5 }));
        Assert.Null(delegation.Refusal(new CgroupLimits())); // nothing asked: nothing to refuse
    }

    [RootFact]
    public void Read_DelegatedGroupWithoutMemory_RefusesMemoryInOneLineNamingTheFlagAndController()
    {
        Tree("cpu pids", User);

        string? refusal = Read(_root.Path).Refusal(new CgroupLimits { MemoryBytes = 64 << 20, PidsLimit = 10 });

        Assert.Equal("--memory needs the memory controller in a cgroup v2 subtree delegated to the user, and the delegated cgroup holds cpu, pids; " +
            "run without it, or as root (see minirun doctor)", refusal);
    }

    [RootFact]
    public void Read_GroupOwnedByRoot_IsNotDelegated_AndEveryLimitIsRefused()
    {
        Tree("cpu memory pids", 0);
        CgroupDelegation delegation = Read(_root.Path);

        Assert.Contains("not delegated", delegation.Why);
        string? refusal = delegation.Refusal(new CgroupLimits { MemoryBytes = 1 << 30, Cpus = 1 });
        Assert.NotNull(refusal);
        Assert.StartsWith("--memory, --cpus/--cpu-shares need the memory, cpu controllers in a cgroup v2 subtree delegated to the user, and the user's cgroup", refusal);
        Assert.DoesNotContain('\n', refusal);
    }

    [Fact]
    public void Read_NoCgroup2Mount_SaysSo()
    {
        CgroupDelegation delegation = CgroupDelegation.Read(null, "0::/\n", User);
        Assert.Equal("no cgroup2 filesystem is mounted", delegation.Why);
        Assert.Contains("no cgroup2 filesystem is mounted", delegation.Refusal(new CgroupLimits { PidsLimit = 5 }));
    }

    [Fact]
    public void Read_ThisMachine_HasNoDelegatedMemoryController()
    {
        // Its cgroup2 holds hugetlb only (hybrid): whoever asks, memory cannot be delegated here.
        CgroupLayout layout = CgroupDetector.ReadLayout();
        CgroupDelegation delegation = CgroupDelegation.Read(layout.V2MountPoint, File.ReadAllText("/proc/self/cgroup"), 65534);
        Assert.NotNull(delegation.Refusal(new CgroupLimits { MemoryBytes = 64 << 20 }));
    }
}
