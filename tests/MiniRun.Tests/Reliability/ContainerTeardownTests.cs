using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Reliability;

/// <summary>
/// ContainerTeardown, the one order in which a container's leftovers go (its cgroup, the limits' leaf before the group;
/// its overlay; its directory), through the two callers a crash sends to it: `rm` and `system check --repair`.
/// </summary>
public class ContainerTeardownTests
{
    private static readonly CgroupLimits WithLeaf = new() { PidsLimit = 64 }; // a limit: the processes' leaf below the group

    /// <summary>A stopped container with what a killed runner leaves: its overlay mounted and its cgroup (with a leaf).</summary>
    private static (string Id, List<string> Cgroups) StoppedContainerWithLeftovers(ReliabilityStore store)
    {
        Assert.Equal(0, store.Load().ExitCode);
        Assert.Equal(0, store.Cli.Run("run", "--name", "left", ReliabilityStore.Image, "true").ExitCode);
        Assert.Equal(0, store.Cli.Run("mount", "left").ExitCode);
        string id = Assert.Single(store.Entries("containers"), e => !e.StartsWith('.'));
        ICgroupManager cgroups = CgroupDetector.Detect()!;
        cgroups.Create(CgroupNames.For(id), WithLeaf);
        List<string> dirs = [.. cgroups.ProcessDirectories(CgroupNames.For(id), WithLeaf), .. cgroups.Directories(CgroupNames.For(id))];
        Assert.Contains(dirs, d => d.EndsWith("/" + CgroupNames.Leaf, StringComparison.Ordinal) && Directory.Exists(d));
        Assert.NotEmpty(store.Mounts());
        return (id, dirs);
    }

    private static void AssertAllGone(ReliabilityStore store, List<string> cgroups)
    {
        Assert.Empty(store.Mounts());
        Assert.All(cgroups, d => Assert.False(Directory.Exists(d), $"{d} is left"));
        Assert.DoesNotContain(store.Entries("containers"), e => !e.StartsWith('.'));
        Assert.Empty(store.Entries("tmp"));
    }

    [RootFact]
    public void Rm_ContainerLeftMountedWithItsCgroup_TakesEverythingDown()
    {
        using var store = new ReliabilityStore();
        (_, List<string> cgroups) = StoppedContainerWithLeftovers(store);

        MiniRunCli.Result rm = store.Cli.Run("rm", "left");

        Assert.True(rm.ExitCode == 0, rm.ToString());
        AssertAllGone(store, cgroups);
        Assert.Equal(0, store.Cli.Run("run", "--rm", "--name", "left", ReliabilityStore.Image, "true").ExitCode); // its name is free
    }

    [RootFact]
    public void CheckRepair_UnreadableContainerLeftMountedWithItsCgroup_TakesEverythingDown()
    {
        using var store = new ReliabilityStore();
        (string id, List<string> cgroups) = StoppedContainerWithLeftovers(store);
        File.WriteAllText(Path.Combine(store.Cli.StoreRoot, "containers", id, "config.v2.json"), "{");

        MiniRunCli.Result repair = store.Cli.Run("system", "check", "--repair");

        Assert.Contains($"repaired: containers/{id}: incomplete container (no readable config.v2.json): removed", repair.Stdout);
        AssertAllGone(store, cgroups);
    }
}
