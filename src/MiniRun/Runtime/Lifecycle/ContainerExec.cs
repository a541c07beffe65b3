using MiniRun.Runtime.Spec;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;

using MiniRun.Containers;
using MiniRun.Containers.Logs;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>What `minirun exec` was asked: the command and docker exec's -e, -w and -u.</summary>
public sealed record ExecRequest(IReadOnlyList<string> Command, IReadOnlyList<string> Env, string? WorkingDir, string? User)
{
    /// <summary>-t: the command gets a pty of the container's devpts (shown here, this terminal raw meanwhile).</summary>
    public bool Tty { get; init; }
    /// <summary>-i: this stdin goes to the command's terminal.</summary>
    public bool Interactive { get; init; }
}

/// <summary>`exec`: one more process in a running container, with the container's config as its defaults (docker exec's rules).</summary>
public static class ContainerExec
{
    /// <summary>Runs the command in the container and returns its exit status (125/126/127 as for run).</summary>
    public static int Run(ContainerStore containers, Container container, ExecRequest request)
    {
        if (request.Command.Count == 0) throw new MiniRunException("exec needs a command");
        ContainerStatus status = containers.Observe(container);
        if (!status.Running) throw new MiniRunException($"container {container.Name} is not running");
        if (status.Paused) throw new MiniRunException($"Container {container.Id} is paused, unpause the container before exec");
        ContainerRecord record = container.Record;
        ContainerUser user = ContainerUser.Resolve(container.MergedDir, request.User ?? record.User);
        // docker exec -t sets TERM=xterm over the container's environment; -e TERM=… still wins.
        List<string> env = ContainerEnvironment.Compose(request.Tty ? [.. record.Env, "TERM=xterm"] : record.Env, request.Env, record.Hostname);
        string workingDir = string.IsNullOrEmpty(request.WorkingDir) ? record.WorkingDir : request.WorkingDir;
        if (!Path.IsPathRooted(workingDir)) throw new MiniRunException($"the working directory \"{workingDir}\" is invalid: it needs to be an absolute path");
        ExecSpec spec = Spec(status.Pid, CgroupNames.For(container.Id), record.CgroupLimits(),
            ContainerStageSpecs.Exec(record, container.MergedDir, user, request.Command, env, workingDir, containers.Paths), consoleOverChannel: request.Tty);
        return Launch(spec, interactive: request.Interactive, nullStdin: !request.Interactive);
    }

    /// <summary>
    /// The exec stage's spec: into the namespaces of the container whose PID 1 is <paramref name="containerPid"/>, and
    /// into its cgroup while its groups are there, so its limits count the exec'd process too (as runc exec does).
    /// </summary>
    /// <param name="consoleSocket">with a terminal: where the pty's master is sent (the OCI runtime's exec --tty).</param>
    /// <param name="consoleOverChannel">minirun exec -t: the pty's master comes back over the stage's channel.</param>
    internal static ExecSpec Spec(int containerPid, string cgroup, CgroupLimits limits, StageProcess process, string? consoleSocket = null,
        bool consoleOverChannel = false)
    {
        ICgroupManager? cgroups = CgroupDetector.Detect();
        bool present = cgroups is not null && cgroups.ProcessDirectories(cgroup, limits).All(Directory.Exists);
        return new ExecSpec
        {
            ContainerPid = containerPid,
            CgroupJoinFiles = present ? [.. cgroups!.SelfJoinFiles(cgroup, limits)] : [],
            CgroupProcessJoinDirectory = present ? cgroups!.EarlyJoinDirectory(cgroup, limits) : null,
            ConsoleSocket = consoleSocket,
            ConsoleOverChannel = consoleOverChannel,
            Process = process,
        };
    }

    /// <summary>
    /// Starts the command and returns its exit status, signals forwarded to it from before the spec is sent (it may
    /// start, and be signalled, at once); <paramref name="detach"/>ed, returns its PID once it runs, not waited for.
    /// </summary>
    /// <param name="started">called with the command's PID once the stage has it (to write --pid-file).</param>
    /// <param name="interactive">with a terminal (<see cref="ExecSpec.ConsoleOverChannel"/>): our stdin goes to it.</param>
    /// <param name="nullStdin">the command's stdin is /dev/null (minirun exec without -i); else it is ours (the OCI runtime's exec).</param>
    internal static int Launch(ExecSpec spec, bool detach = false, Action<int>? started = null, bool waitUntilExecuted = false, bool interactive = false,
        bool nullStdin = false)
    {
        SignalForwarding? forwarding = null;
        RuntimeBinary? binary = null;
        int master = -1;
        try
        {
            int pid;
            (pid, binary) = ExecLauncher.Start(spec, detach ? null : child => forwarding = new SignalForwarding(child, SandboxLauncher.DefaultStopTimeout),
                waitUntilExecuted, console: fd =>
                {
                    master = fd;
                    TerminalRelay.TakeOurSize(fd); // the stage still drops privileges: the command reads its size after this
                }, nullStdin);
            started?.Invoke(pid);
            if (detach) return pid;
            if (master >= 0) TerminalRelay.CopyUntilExited(pid, master, log: null, show: true, input: interactive); // docker exec's output is not logged
            return forwarding!.WaitForExit();
        }
        finally
        {
            if (master >= 0) Native.ProcessControl.Close(master);
            forwarding?.Dispose();
            binary?.Dispose();
        }
    }
}
