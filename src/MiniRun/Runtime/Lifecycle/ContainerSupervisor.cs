using MiniRun.Common;
using MiniRun.Images;
using MiniRun.Layers;
using MiniRun.Native;
using MiniRun.Sandbox;
using MiniRun.Store;

using MiniRun.Containers;
using MiniRun.Containers.Attach;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>
/// `run -d` and `start`: a small detached minirun process (this binary, verb <see cref="Verb"/>) per container, in a
/// session of its own (setsid(2): no terminal signals reach it), with stdin from /dev/null and its own stdout/stderr
/// appended to the container's log (a failure of its own shows there as a raw line). It runs the container as a
/// foreground `run` does, the container's output piped to the log only, and records the exit, so the state survives
/// the CLI; containerd's shim and conmon play the same part. It holds the container's terminal (-t) and stdin (-i), which
/// `attach` reaches through its <see cref="AttachServer"/>.
/// </summary>
public static class ContainerSupervisor
{
    public const string Verb = "__supervise";

    /// <summary>Its last argument when its first attach client comes before the container starts (start -a).</summary>
    public const string AttachFirst = "--attach-first";

    /// <summary>Starts the supervisor and returns once the container runs (or has already exited).</summary>
    public static void Start(ContainerStore containers, Container container, TimeSpan timeout)
    {
        RestartLoop.BeforeUserStart(containers, container);
        DateTimeOffset? previousExit = containers.ReadState(container).FinishedAt;
        int pid = Spawn(containers, container, attachFirst: false);
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
    /// <param name="attachFirst">it waits for its first attach client before it starts the container (<see cref="AttachedStart"/>).</param>
    public static int Spawn(ContainerStore containers, Container container, bool attachFirst)
    {
        // From the file on disk: the supervisor is a host process, outside the container's PID namespace. The stages it
        // spawns, which the container does see, run from a read-only view of it (RuntimeBinary).
        string self = Environment.ProcessPath ?? "/proc/self/exe";
        // Its environment is empty but for the cgroup version forced on this run: the container lives where `run` said.
        string? cgroupVersion = Environment.GetEnvironmentVariable(Sandbox.Cgroups.CgroupDetector.OverrideVariable);
        // And for rootless mode: it runs the container as root of the user's namespace, which it inherits.
        string[] env = [
            .. string.IsNullOrEmpty(cgroupVersion) ? [] : new[] { $"{Sandbox.Cgroups.CgroupDetector.OverrideVariable}={cgroupVersion}" },
            .. RootlessMode.Current is { } rootless ? new[] { $"{RootlessMode.Variable}={rootless.Value}" } : []];
        string[] argv = ["minirun-supervise", Verb, containers.Paths.Root, container.Id];
        return ProcessControl.Spawn(self, attachFirst ? [.. argv, AttachFirst] : argv, env, newSession: true, stdio: ("/dev/null", container.LogPath));
    }

    /// <summary>The supervisor itself: runs the container in the foreground of this detached process, and again as
    /// --restart says, serving `attach`.</summary>
    public static int Run(string root, string id, bool attachFirst = false)
    {
        var paths = new StorePaths(root);
        var layers = new LayerStore(paths);
        var containers = new ContainerStore(paths);
        var runner = new ContainerRunner(new ImageStore(paths, layers), containers);
        AttachServer? attach = null;
        try
        {
            Container container = containers.Resolve(id);
            attach = AttachServer.Listen(container.Directory);
            if (attachFirst) attach.AwaitClient(TimeSpan.FromSeconds(30)); // or it starts without: its client is gone
            return new RestartLoop(runner, containers, container, attach).Supervise(); // each run's end ends its attach sessions
        }
        catch (Exception e) when (UserMessages.IsUserFacing(e))
        {
            Console.Error.WriteLine(UserMessages.Line(e));
            attach?.End(ExitCodes.RuntimeError, UserMessages.Describe(e));
            return ExitCodes.RuntimeError;
        }
        finally
        {
            attach?.Dispose();
        }
    }
}
