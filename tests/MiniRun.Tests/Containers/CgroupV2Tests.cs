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
        var result = Run(fixture.Image, "cat", "/proc/self/cgroup");

        Assert.True(result.ExitCode == 0, result.ToString());
        string path = result.Stdout.Split('\n').Single(l => l.StartsWith("0::", StringComparison.Ordinal))[3..];
        Assert.Matches($"^/{CgroupNames.Parent}/[0-9a-f]{{64}}$", path);
        Assert.False(Directory.Exists(Manager.MountPoint + path), path + " was left behind");
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
        string before = Children();

        Run("--cpus", "0.5", "--memory", "32m", "--pids-limit", "5", fixture.Image, "true");

        Assert.Equal(before, Children());
    }

    private static string Children()
    {
        string parent = Path.Combine(Manager.MountPoint, CgroupNames.Parent);
        return Directory.Exists(parent) ? string.Join(',', Directory.GetDirectories(parent).Order()) : "";
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
