using MiniRun.Explain;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The in-container side: runs as PID 1 of the new PID namespace. It reads the <see cref="InitSpec"/> from fd 3 and
/// runs <see cref="InitSequence"/>: the preparation while the parent creates the cgroup, the rest on the parent's go
/// (<see cref="InitStageProcess"/>), then execve()s the command. It never returns: it becomes the command or exits
/// 125/126/127. With --explain (argument <see cref="ExplainArgument"/>) it narrates each call on fd 5, minirun's stderr.
/// </summary>
public static class InitStage
{
    public const string Verb = "__init";
    public const string ExplainArgument = "--explain";
    public const int SpecFd = 3;
    public const int ExplainFd = 5;

    public static int Run(bool explain = false)
    {
        InitSpec spec;
        ISyscalls sys = LinuxSyscalls.Instance;
        try
        {
            // No spec at all: the parent gave up (and said why) or died.
            if (StageFrames.Read(SpecFd, "the spec from the parent") is not { } message) return ExitCodes.RuntimeError;
            spec = InitSpecReader.Read(message);
            if (explain) sys = new NarratingSyscalls(sys, new DescriptorWriter(ExplainFd), shorthands: spec.ExplainShorthands);
            InitSequence.Prepare(sys, spec);
            // Before the root is entered: the socket is at a host path, the container's devpts is mounted below the root.
            if (spec.ConsoleSocket is not null || spec.ConsoleOverChannel)
                ContainerConsole.HandOver(spec.ConsoleSocket is { } console ? ContainerConsole.Connect(console) : SpecFd,
                    Path.Combine(spec.RootFs, "dev/pts/ptmx"), Path.Combine(spec.RootFs, "dev/pts"), Path.Combine(spec.RootFs, "dev/console"),
                    keepSocket: spec.ConsoleSocket is null);
            ProcessControl.WriteAll(SpecFd, [InitStageProcess.Ready]); // the protocol's table: InitStageProcess
            // The go says the cgroup exists and the parent forwards signals to this process; without it, nothing runs.
            // Parked instead (the OCI runtime's create), it waits for `start` and keeps going without its parent.
            byte[]? go = ProcessControl.ReadExactly(SpecFd, 1);
            bool parked = go is [InitStageProcess.ParkMessage];
            (int Directory, string Name) fifo = (-1, "");
            if (parked)
            {
                // In its cgroup and cgroup namespace before `create` returns, as runc's init is: the engine reads
                // /proc/PID/cgroup of a created container, and its namespaces are all there (runtime-spec: create makes them).
                InitSequence.JoinCgroup(sys, spec);
                fifo = Park();
            }
            else if (go is not [InitStageProcess.Go]) return ExitCodes.RuntimeError;
            // SpecFd stays open until execve (close-on-exec from PrivilegeDrop): its closing tells the parent we ran.
            // Parked, the stage enters the root while `create` exits and `start` starts, then waits for `start` there,
            // as runc's init waits on its exec.fifo right before the command's identity and execve. The fifo stays
            // open (close-on-exec) until execve: `start` returns when it closes, once signals reach the command.
            InitSequence.Enter(sys, spec, cgroupJoined: parked, beforePrivilegeDrop: parked ? () => WaitForStart(fifo.Directory, fifo.Name) : null);
            if (!StageGuard.BeforeExec(dieWithParent: !parked, parentMayBeGone: parked)) return ExitCodes.RuntimeError; // the container dies with its runner
        }
        catch (Exception e) when (e is MiniRunException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(UserMessages.Line(e));
            return ExitCodes.RuntimeError;
        }
        return ExecFailure.Report(sys.Exec(spec.Process.Args, spec.Process.Env), spec.Process.Args[0], spec.Process.Env);
    }

    /// <summary>
    /// Parked: no parent to die with; the fifo's path comes next. Returns its directory, open (O_PATH): the fifo is opened
    /// from inside the root, where the host's paths are gone.
    /// </summary>
    private static (int Directory, string Name) Park()
    {
        Syscalls.SetParentDeathSignal(Signal.None);
        ProcessControl.WriteAll(SpecFd, [InitStageProcess.Parked]); // the parent may exit now
        byte[] path = StageFrames.Read(SpecFd, "the fifo's path") ?? throw new MiniRunException("init: the parent left without the fifo's path");
        string fifo = System.Text.Encoding.UTF8.GetString(path);
        return (ProcessControl.OpenPath(Path.GetDirectoryName(fifo)!, directory: true), Path.GetFileName(fifo));
    }

    /// <summary>The fifo's open returns when `start` opens the other end; it stays open, close-on-exec, until the execve.</summary>
    private static void WaitForStart(int fifoDirectory, string name)
    {
        int fifo = ProcessControl.OpenForWritingAt(fifoDirectory, name);
        ProcessControl.Close(fifoDirectory);
        ProcessControl.WriteAll(fifo, "0"u8);
    }
}
