using MiniRun.Containers;
using MiniRun.Sandbox.Cgroups;
using MiniRun.Store;
using MiniRun.Tests.Containers;

namespace MiniRun.Tests.HostReads;

/// <summary>commit and export freeze a running container while they read it (cgroup freezer), and always thaw it.</summary>
public class ContainerPauseTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    /// <summary>What the freezer of the container's cgroup says, in the machine's cgroup version.</summary>
    private static bool IsFrozen(string id)
    {
        ICgroupManager cgroups = CgroupDetector.Detect()!;
        string dir = cgroups.Version == "v1"
            ? Path.Combine(CgroupDetector.ReadLayout().V1Controllers["freezer"], CgroupNames.For(id))
            : cgroups.Directories(CgroupNames.For(id))[0];
        return cgroups.Version == "v1"
            ? File.ReadAllText(Path.Combine(dir, "freezer.state")).Trim() == "FROZEN"
            : File.ReadAllLines(Path.Combine(dir, "cgroup.events")).Contains("frozen 1");
    }

    private string StartDetached()
    {
        MiniRunCli.Result run = Cli.Run("run", "-d", fixture.Image, "sleep", "1000");
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Stdout.Trim();
    }

    [RootFact]
    public void Pause_ReadThatFails_IsFrozenDuringItAndThawedAfter()
    {
        string id = StartDetached();
        try
        {
            var containers = new ContainerStore(new StorePaths(Cli.StoreRoot));
            Container container = containers.Resolve(id);
            bool frozenWhileReading = false;

            Assert.Throws<InvalidOperationException>((Action)(() =>
            {
                using (ContainerPause.WhileReading(containers, container, pause: true))
                {
                    frozenWhileReading = IsFrozen(id);
                    throw new InvalidOperationException("a read that failed half-way");
                }
            }));

            Assert.True(frozenWhileReading);
            Assert.False(IsFrozen(id));
            Assert.Null(ContainerPause.WhileReading(containers, container, pause: false));
        }
        finally
        {
            Cli.Run("rm", "-f", id);
        }
    }

    [RootFact]
    public void CommitAndExport_RunningContainer_LeaveItRunningAndThawed()
    {
        string id = StartDetached();
        try
        {
            Assert.Equal(0, Cli.Run("exec", id, "touch", "/made-while-running").ExitCode);

            MiniRunCli.Result commit = Cli.Run("commit", id, "paused-commit:1");
            MiniRunCli.Result export = Cli.Run("export", "-o", "/dev/null", id);

            Assert.True(commit.ExitCode == 0, commit.ToString());
            Assert.True(export.ExitCode == 0, export.ToString());
            Assert.False(IsFrozen(id));
            Assert.Equal("alive\n", Cli.Run("exec", id, "echo", "alive").Stdout);
            MiniRunCli.Result fromImage = Cli.Run("run", "--rm", "paused-commit:1", "ls", "/made-while-running");
            Assert.True(fromImage.ExitCode == 0, fromImage.ToString());
        }
        finally
        {
            Cli.Run("rm", "-f", id);
            Cli.Run("rmi", "paused-commit:1");
        }
    }

    [RootFact]
    public void Commit_PauseFalse_IsAccepted()
    {
        string id = StartDetached();
        try
        {
            Assert.Equal(0, Cli.Run("commit", "-p=false", id, "unpaused:1").ExitCode);
            Assert.Equal(0, Cli.Run("commit", "--pause=false", id, "unpaused:2").ExitCode);
            MiniRunCli.Result bad = Cli.Run("commit", "--pause=maybe", id);
            Assert.Equal(125, bad.ExitCode);
            Assert.Contains("--pause", bad.Stderr);
        }
        finally
        {
            Cli.Run("rm", "-f", id);
            Cli.Run("rmi", "unpaused:1");
            Cli.Run("rmi", "unpaused:2");
        }
    }
}
