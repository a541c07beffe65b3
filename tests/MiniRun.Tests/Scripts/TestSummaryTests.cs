using System.Text;
using MiniRun.Fixtures;

namespace MiniRun.Tests.Scripts;

/// <summary>The end of `make test` (scripts/test-summary.sh): skipped tests counted per reason, failed tests named
/// with why, then the one line CI reads.</summary>
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

    // How VSTest prints failures at normal verbosity: the message's first line indented, the rest not; the stack
    // from a helper down to the test and the runtime; xunit's own lines may come between; standard output after.
    private const string FailedLog = """
        [xUnit.net 00:02:27.31]     MiniRun.Tests.Containers.CopyTests.In_Link_StaysInside(kind: "bind") [FAIL]
          Failed MiniRun.Tests.Containers.CopyTests.In_Link_StaysInside(kind: "bind") [506 ms]
          Error Message:
           exit 1
        stdout:
        [xUnit.net 00:02:27.32]       Output:
        stderr: minirun: /up: no such directory

        second line of stderr
        third line of stderr
          Stack Trace:
             at MiniRun.Tests.Support.MiniRunCli.RunOk(String[] args) in /build/tests/MiniRun.Tests/Support/MiniRunCli.cs:line 57
           at MiniRun.Tests.Support.MiniRunCli.Other() in /build/tests/MiniRun.Tests/Support/MiniRunCli.cs:line 80
           at MiniRun.Tests.Containers.CopyTests.In_Link_StaysInside(String kind) in /build/tests/MiniRun.Tests/Containers/CopyTests.cs:line 145
           at System.RuntimeMethodHandle.InvokeMethod(ObjectHandleOnStack target, Void** arguments, ObjectHandleOnStack sig, BOOL isConstructor, ObjectHandleOnStack result)
          Standard Output Messages:
         at MiniRun.Tests.Noise.Printed() in /build/tests/MiniRun.Tests/Noise.cs:line 1
          Passed MiniRun.Tests.X.Y [32 ms]
          Failed MiniRun.Tests.Containers.AttachTests.Attach_Resize_Follows [849 ms]
          Error Message:
           Assert.Contains() Failure: Sub-string not found
        Not found: "30 100"
          Stack Trace:
             at MiniRun.Tests.Containers.AttachTests.Attach_Resize_Follows() in /build/tests/MiniRun.Tests/Containers/AttachTests.cs:line 35
           at MiniRun.Tests.Containers.AttachTests.Other() in /build/tests/MiniRun.Tests/Containers/AttachTests.cs:line 90

        Test Run Failed.
        Total tests: 3
             Passed: 1
             Failed: 2
        """;

    [Fact]
    public void Summary_SkippedTests_CountedPerReasonBeforeTheLastLine()
    {
        Assert.Equal(
        [
            "skipped 2: no Docker daemon answers (.ci/run starts one: dockerd --iptables=false --bridge=none)",
            "skipped 1: needs docker-registry and skopeo on PATH (apt-get install -y docker-registry skopeo)",
            "1 passed, 0 failed, 3 skipped",
        ], Summarise(Log).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Summary_NoSkips_OnlyTheCountLine()
    {
        Assert.Equal("12 passed, 0 failed, 0 skipped\n",
            Summarise("Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12"));
    }

    [Fact]
    public void Summary_FailedTests_NameMessageAndFramesBeforeTheLastLine()
    {
        Assert.Equal(
        [
            "failed: MiniRun.Tests.Containers.CopyTests.In_Link_StaysInside(kind: \"bind\") [506 ms]",
            "    exit 1",
            "    stdout:",
            "    stderr: minirun: /up: no such directory",
            "    second line of stderr",
            "    at MiniRun.Tests.Support.MiniRunCli.RunOk(String[] args) in MiniRun.Tests/Support/MiniRunCli.cs:line 57",
            "    at MiniRun.Tests.Containers.CopyTests.In_Link_StaysInside(String kind) in MiniRun.Tests/Containers/CopyTests.cs:line 145",
            "failed: MiniRun.Tests.Containers.AttachTests.Attach_Resize_Follows [849 ms]",
            "    Assert.Contains() Failure: Sub-string not found",
            "    Not found: \"30 100\"",
            "    at MiniRun.Tests.Containers.AttachTests.Attach_Resize_Follows() in MiniRun.Tests/Containers/AttachTests.cs:line 35",
            "1 passed, 2 failed, 0 skipped",
        ], Summarise(FailedLog).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Summary_ManyFailedTests_ShowsSevenCountsTheRestInUnderSixtyLines()
    {
        var log = new StringBuilder();
        for (int i = 0; i < 20; i++)
        {
            log.Append($"  Failed MiniRun.Tests.Many.T{i} [1 ms]\n  Error Message:\n   first\n");
            for (int line = 0; line < 10; line++)
                log.Append($"more {new string('x', 500)}\n");
            log.Append("  Stack Trace:\n");
            for (int frame = 0; frame < 10; frame++)
                log.Append($"   at MiniRun.Tests.Many.T{i}() in /build/tests/MiniRun.Tests/Many.cs:line {frame}\n");
        }
        log.Append("Failed!  - Failed:    20, Passed:     5, Skipped:     0, Total:    25");

        string[] lines = Summarise(log.ToString()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.InRange(lines.Length, 1, 60);
        Assert.All(lines, line => Assert.InRange(line.Length, 1, 210));
        Assert.Equal(7, lines.Count(line => line.StartsWith("failed: ", StringComparison.Ordinal)));
        Assert.Equal("failed: MiniRun.Tests.Many.T6 [1 ms]", lines.Last(line => line.StartsWith("failed: ", StringComparison.Ordinal)));
        Assert.StartsWith("... and 13 more failed tests", lines[^2], StringComparison.Ordinal);
        Assert.Equal("5 passed, 20 failed, 0 skipped", lines[^1]);
    }

    [Fact]
    public void Summary_TestHostCrashed_SaysSoAndNamesTheTestBeforeTheLastLine()
    {
        string[] lines = Summarise("""
              Passed MiniRun.Tests.X.Y [32 ms]
            The active test run was aborted. Reason: Test host process crashed : Stack overflow.
            Test Run Aborted.

            The test running when the crash occurred:
            MiniRun.Tests.Containers.AttachTests.Attach_Resize_Follows

            Total tests: Unknown
                 Passed: 1
            """).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
        [
            "The active test run was aborted. Reason: Test host process crashed : Stack overflow.",
            "The test running when the crash occurred:",
            "    MiniRun.Tests.Containers.AttachTests.Attach_Resize_Follows",
            "1 passed, 0 failed, 0 skipped",
        ], lines);
    }

    private static string Summarise(string logText)
    {
        using var dir = new TempDirectory();
        string log = Path.Combine(dir.Path, "test.log");
        File.WriteAllText(log, logText + "\n");
        return ExternalCommand.CheckResult(ExternalCommand.Run(
            "bash", [Path.Combine(MiniRunCli.RepositoryRoot, "scripts", "test-summary.sh"), log], TimeSpan.FromSeconds(30)));
    }
}
