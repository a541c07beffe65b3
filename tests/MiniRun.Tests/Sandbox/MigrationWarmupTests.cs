using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Sandbox;

/// <summary>The warm-up moves this process into the cgroups it is already in: nothing about it changes.</summary>
public class MigrationWarmupTests
{
    [RootFact]
    public void Start_LeavesThisProcessInTheSameCgroups()
    {
        string before = File.ReadAllText("/proc/self/cgroup");

        Assert.True(MigrationWarmup.Start().Join(TimeSpan.FromSeconds(10)));

        Assert.Equal(before, File.ReadAllText("/proc/self/cgroup"));
    }
}
