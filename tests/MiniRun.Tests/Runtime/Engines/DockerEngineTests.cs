using MiniRun.Fixtures;
using MiniRun.Tests.Parity;

namespace MiniRun.Tests.Runtime.Engines;

/// <summary>
/// Docker runs its containers with MiniRun (`docker run --runtime minirun`, through containerd's runc shim, which calls
/// minirun-runtime with runc's command line), in a daemon of the test's own: the image's tree is the one runc gives,
/// and -it, exec, stop, logs, pause, --memory and --pids-limit work.
/// </summary>
public sealed class DockerEngineTests(PrivateDockerd docker) : IClassFixture<PrivateDockerd>
{
    private string[] Run(params string[] args) => ["run", "--runtime", "minirun", "--network", "none", .. args];

    [RootFact]
    public void DockerRun_ParityImage_TreeIsTheSameAsUnderRunc()
    {
        string image = docker.ParityImage;

        IReadOnlyList<string> runc = TreeListing.Parse(docker.Docker(["run", "--rm", "--runtime", "runc", "--network", "none", image, .. TreeListing.Command]));
        IReadOnlyList<string> minirun = TreeListing.Parse(docker.Docker([.. Run("--rm", image), .. TreeListing.Command]));

        Assert.Equal("", TreeListing.Difference(runc, minirun, "runc", "minirun"));
        Assert.Contains(minirun, line => line.StartsWith("/suid regular file mode=4755 uid=1000", StringComparison.Ordinal));
        Assert.Contains(minirun, line => line.StartsWith("/fifo fifo mode=640", StringComparison.Ordinal));
        Assert.Contains(minirun, line => line.StartsWith("/hl-a regular file mode=644 uid=0 gid=0 links=2", StringComparison.Ordinal));
        Assert.DoesNotContain(minirun, line => line.StartsWith("/gone-dir", StringComparison.Ordinal));
    }

    [RootFact]
    public void DockerRunInteractive_GivesTheProcessATerminal()
    {
        string image = docker.ParityImage;

        ExternalCommand.Result result = EnginePeer.OnTerminal(
            $"docker -H {docker.Host} run -it --rm --runtime minirun --network none {image} sh -c 'tty; stat -c %t /dev/console; echo done'");

        Assert.True(result.ExitCode == 0, result + "\n" + docker.LogTail);
        Assert.Contains("/dev/pts/0", result.Stdout);
        Assert.Contains("88", result.Stdout); // /dev/console is a pty (major 136)
        Assert.Contains("done", result.Stdout);
    }

    [RootFact]
    public void DockerExecStopLogsPause_WorkThroughMiniRun()
    {
        string id = docker.Docker(Run("-d", docker.ParityImage, "sh", "-c", "trap 'echo got TERM; exit 3' TERM; echo started; while :; do sleep 0.1; done")).Trim();

        Assert.True(EnginePeer.WaitFor(() => docker.Docker("logs", id).Contains("started")), docker.Docker("logs", id));
        Assert.Equal("in the container: minibox-free 1", docker.Docker("exec", "-e", "N=1", id, "sh", "-c", "echo in the container: $(test -e /suid && echo minibox-free) $N").Trim());
        ExternalCommand.Result tty = EnginePeer.OnTerminal($"docker -H {docker.Host} exec -it {id} sh -c 'tty'");
        Assert.True(tty.ExitCode == 0, tty.ToString());
        Assert.Contains("/dev/pts/", tty.Stdout);
        Assert.Contains("sh -c trap", docker.Docker("top", id));
        docker.Docker("pause", id);
        Assert.Equal("paused", docker.Docker("inspect", "-f", "{{.State.Status}}", id).Trim());
        docker.Docker("unpause", id);

        docker.Docker("stop", "-t", "10", id);

        Assert.Equal("3", docker.Docker("inspect", "-f", "{{.State.ExitCode}}", id).Trim()); // its TERM trap ran
        Assert.Equal("started\ngot TERM", docker.Docker("logs", id).Trim());
        docker.Docker("rm", id);
    }

    [RootFact]
    public void DockerRun_MemoryAndPidsLimit_AreInTheContainersCgroup()
    {
        string id = docker.Docker(Run("-d", "--memory", "64m", "--pids-limit", "50", docker.ParityImage, "sleep", "300")).Trim();
        int pid = int.Parse(docker.Docker("inspect", "-f", "{{.State.Pid}}", id).Trim());

        string memory = EnginePeer.CgroupDirectory(pid, "memory"), pids = EnginePeer.CgroupDirectory(pid, "pids");
        bool v2 = !memory.Contains("/memory/", StringComparison.Ordinal);
        Assert.Equal("67108864", ReadLimit(memory, v2 ? "memory.max" : "memory.limit_in_bytes"));
        Assert.Equal("50", ReadLimit(pids, "pids.max"));

        docker.Docker("update", "--pids-limit", "60", id);
        Assert.Equal("60", ReadLimit(pids, "pids.max"));
        docker.Docker("rm", "-f", id);
    }

    /// <summary>A limit in the process's cgroup, or in the group above it (MiniRun puts the process in a leaf below its limits).</summary>
    private static string ReadLimit(string dir, string file)
    {
        string value = File.ReadAllText(Path.Combine(dir, file)).Trim();
        return value is "max" or "9223372036854771712" ? File.ReadAllText(Path.Combine(Path.GetDirectoryName(dir)!, file)).Trim() : value;
    }
}
