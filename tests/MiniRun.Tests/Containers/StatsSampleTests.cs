using MiniRun.Cli.Output;
using MiniRun.Containers;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Containers;

/// <summary>docker stats' arithmetic and units, without a container: CPU % between two readings, memory in binary units, the cgroup files' sums.</summary>
public class StatsSampleTests
{
    private static StatsSample Reading(long cpuNanos, long systemNanos, int cpus = 2) =>
        new(true, new CgroupUsage(cpuNanos, 0, null, 0, 0, 1), 0, systemNanos, cpus);

    [Fact]
    public void CpuPercent_OneBusyCpuOfTwo_Is100_AsDockersFormula()
    {
        // Over 1 s of wall time a 2-CPU machine counts 2 s of CPU time; the container used 1 s of it.
        Assert.Equal(100, StatsSample.CpuPercent(Reading(5_000_000_000, 40_000_000_000), Reading(6_000_000_000, 42_000_000_000)), 6);
        Assert.Equal(25, StatsSample.CpuPercent(Reading(0, 0, 4), Reading(1_000_000_000, 16_000_000_000, 4)), 6);
        Assert.Equal(0, StatsSample.CpuPercent(Reading(7, 9), Reading(7, 9))); // no time passed: 0, not NaN
    }

    [Theory]
    [InlineData(0, "0B")]
    [InlineData(1000, "1000B")]
    [InlineData(634880, "620KiB")]
    [InlineData(33554432, "32MiB")]
    [InlineData(25275996160, "23.54GiB")]
    [InlineData(1073741823, "1024MiB")]
    public void BinarySize_AsDockerStatsWritesMemory(long bytes, string expected) => Assert.Equal(expected, HumanText.BinarySize(bytes));

    [Fact]
    public void ReadBlockIo_SumsReadsAndWritesOfEveryDevice_V1AndV2()
    {
        Assert.Equal((4096L + 100, 8192L), CgroupFiles.ReadBlockIo("8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 1\n8:16 Read 100\nTotal 12389\n"));
        Assert.Equal((10L + 5, 20L), CgroupFiles.ReadBlockIo("8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n254:0 rbytes=5 wbytes=0 rios=1\n"));
        Assert.Equal((0L, 0L), CgroupFiles.ReadBlockIo(null));
    }

    [Fact]
    public void WithoutInactiveFile_AsDockersCli_NeverBelowNothing()
    {
        Assert.Equal(700, CgroupUsage.WithoutInactiveFile(1000, 300));
        Assert.Equal(100, CgroupUsage.WithoutInactiveFile(100, 300));
    }
}
