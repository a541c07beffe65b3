using MiniRun.Images;
using MiniRun.Layers;
using MiniRun.Native;
using MiniRun.Sandbox;
using MiniRun.Store;

using MiniRun.Containers;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>
/// `run -d` and `start`: a small detached minirun process (this binary, verb <see cref="Verb"/>) per container, in a
/// session of its own (setsid(2): no terminal signals reach it), with stdin from /dev/null and its own stdout/stderr
/// appended to the container's log (a failure of its own shows there as a raw line). It runs the container as a
/// foreground `run` does, the container's output piped to the log only, and records the exit, so the state survives
/// the CLI; containerd's shim and conmon play the same part.
/// </summary>
public static class ContainerSupervisor
{
    public const string Verb = "__supervise";

    /// <summary>Starts the supervisor and returns once the container runs (or has already exited).</summary>
    public static void Start(ContainerStore containers, Container container, TimeSpan timeout)
    {
        RestartLoop.BeforeUserStart(containers, container);
        DateTimeOffset? previousExit = containers.ReadState(container).FinishedAt;
        int pid = Spawn(containers, container);
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            bool supervisorGone = HostProcess.Find(pid) is null;
            ContainerStatus status = containers.Observe(container);
            if (status.Running) return;
            if (status.State.FinishedAt != previousExit)
            {
                // It ran and exited already (a short command); a failure of minirun's own is reported as run's would be.
                if (status.State.Error is { } error) throw new MiniRunException(error);
                return;
            }
            if (supervisorGone)
                throw new MiniRunException($"the supervisor of container {container.ShortId} exited before the container started: see {container.LogPath}");
            if (DateTime.UtcNow >= deadline)
                throw new MiniRunException($"container {container.ShortId} did not start within {timeout.TotalSeconds} s: see {container.LogPath}");
            Thread.Sleep(10);
        }
    }

    /// <summary>Spawns the supervisor of <paramref name="container"/> (start, or a foreground run handing restarts over); its PID.</summary>
    internal static int Spawn(ContainerStore containers, Container container)
    {
        // From the file on disk: the supervisor is a host process, outside the container's PID namespace. The stages it
        // spawns, which the container does see, run from a read-only view of it (RuntimeBinary).
        string self = Environment.ProcessPath ?? "/proc/self/exe";
        // Its environment is empty but for the cgroup version forced on this run: the container lives where `run` said.
        string? cgroupVersion = Environment.GetEnvironmentVariable(Sandbox.Cgroups.CgroupDetector.OverrideVariable);
        string[] env = string.IsNullOrEmpty(cgroupVersion) ? [] : [$"{Sandbox.Cgroups.CgroupDetector.OverrideVariable}={cgroupVersion}"];
        return ProcessControl.Spawn(self, ["minirun-supervise", Verb, containers.Paths.Root, container.Id], env,
            newSession: true, stdio: ("/dev/null", container.LogPath));
    }

    /// <summary>The supervisor itself: runs the container in the foreground of this detached process, and again as --restart says.</summary>
    public static int Run(string root, string id)
    {
        var paths = new StorePaths(root);
        var layers = new LayerStore(paths);
        var containers = new ContainerStore(paths);
        var runner = new ContainerRunner(new ImageStore(paths, layers), containers);
        try
        {
            return new RestartLoop(runner, containers, containers.Resolve(id)).Supervise();
        }
        catch (Exception e) when (UserMessages.IsUserFacing(e))
        {
            Console.Error.WriteLine(UserMessages.Line(e));
            return ExitCodes.RuntimeError;
        }
    }
}
