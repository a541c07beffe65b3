using MiniRun.Fixtures;

namespace MiniRun.Tests.Scripts;

/// <summary>The end of `make test` (scripts/test-summary.sh): skipped tests counted per reason, then the one line CI reads.</summary>
public sealed class TestSummaryTests
{
    // The shape of `dotnet test --logger "console;verbosity=normal"` output with xunit, as it prints skips.
    private const string Log = """
        [xUnit.net 00:00:02.40]     MiniRun.Tests.Parity.A.B [SKIP]
        [xUnit.net 00:00:02.41]       no Docker daemon answers (.ci/run starts one: dockerd --iptables=false --bridge=none)
        [xUnit.net 00:00:02.61]     MiniRun.Tests.Registry.C.D [SKIP]
        [xUnit.net 00:00:02.61]       needs docker-registry and skopeo on PATH (apt-get install -y docker-registry skopeo)
        [xUnit.net 00:00:02.62]     MiniRun.Tests.Parity.E.F [SKIP]
        [xUnit.net 00:00:02.62]       no Docker daemon answers (.ci/run starts one: dockerd --iptables=false --bridge=none)
          Skipped MiniRun.Tests.Parity.A.B [1 ms]
          Passed MiniRun.Tests.X.Y [32 ms]

        Test Run Successful.
        Total tests: 4
             Passed: 1
            Skipped: 3
        """;

    [Fact]
    public void Summary_SkippedTests_CountedPerReasonBeforeTheLastLine()
    {
        using var dir = new TempDirectory();
        string log = Path.Combine(dir.Path, "test.log");
        File.WriteAllText(log, Log + "\n");

        string[] lines = Summarise(log).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
        [
            "skipped 2: no Docker daemon answers (.ci/run starts one: dockerd --iptables=false --bridge=none)",
            "skipped 1: needs docker-registry and skopeo on PATH (apt-get install -y docker-registry skopeo)",
            "1 passed, 0 failed, 3 skipped",
        ], lines);
    }

    [Fact]
    public void Summary_NoSkips_OnlyTheCountLine()
    {
        using var dir = new TempDirectory();
        string log = Path.Combine(dir.Path, "test.log");
        File.WriteAllText(log, "Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12\n");

        Assert.Equal("12 passed, 0 failed, 0 skipped\n", Summarise(log));
    }

    private static string Summarise(string log) => ExternalCommand.CheckResult(ExternalCommand.Run(
        "bash", [Path.Combine(MiniRunCli.RepositoryRoot, "scripts", "test-summary.sh"), log], TimeSpan.FromSeconds(30)));
}
