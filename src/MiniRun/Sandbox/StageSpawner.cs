using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// Starts a stage of this same binary (the init stage, the exec stage) inside other namespaces, without fork() in
/// managed code: the calling thread changes its own namespaces (unshare(2) and setns(2) are per-thread for these),
/// posix_spawn()s the child, which is born inside them, and changes them back at once. Nothing in between starts a
/// thread: one whose PID namespace for children is not its own cannot (clone(2): EINVAL). No dedicated thread either:
/// NativeAOT's Thread.Start spins (sched_yield) until the new thread runs, which costs a start up to a millisecond on
/// a busy machine. The stage talks with its parent over a socket pair on its fd 3 (see <see cref="InitStageProcess"/>); its fd 4 is a pidfd of this process, for
/// <see cref="StageGuard"/>. The stage runs from a read-only view of this binary (<see cref="RuntimeBinary"/>), made
/// before the namespaces are entered.
/// The calling thread becomes the stage's parent, whose exit kills the stage and, for the init stage, the container
/// (PR_SET_PDEATHSIG fires when the parent thread exits, not the process): run, the supervisor and exec call this from
/// their main thread, which lives until the container or the exec'd command has exited.
/// </summary>
internal static class StageSpawner
{
    /// <summary>Spawns the stage; returns its PID, our end of its channel (see <see cref="Deliver"/>), and the
    /// view of the binary it runs from, for the caller to dispose once the stage has execve()d (see
    /// <see cref="InitStageProcess.WaitUntilExecuted"/>).</summary>
    /// <param name="enterNamespaces">moves the calling thread into the stage's namespaces, before the spawn.</param>
    /// <param name="leaveNamespaces">moves it back, after the spawn (also when entering or spawning failed).</param>
    /// <param name="output">the stage's stdout and stderr, when not ours.</param>
    /// <param name="explainFd">--explain: passed as the stage's fd 5, where it narrates (<see cref="InitStage.ExplainFd"/>).</param>
    /// <param name="user">a user namespace: the stage is cloned into it (<see cref="ProcessControl.SpawnNamespaced"/>),
    /// with <paramref name="cloneNamespaces"/> made new by the same clone, so that the user namespace owns them. Without
    /// one, <paramref name="cloneNamespaces"/> are made by a clone all the same (rootless: see InitStageProcess).</param>
    /// <param name="stdin">the stage's stdin (<see cref="ProcessControl.Spawn"/>'s); with a user namespace, always ours.</param>
    /// <param name="joinFds">namespaces the stage joins itself, after its clone (rootless: see ExecLauncher).</param>
    /// <param name="pidNamespaceFd">a PID namespace the stage is born in by a clone of its own (rootless).</param>
    public static (int Pid, int MessageFd, RuntimeBinary Binary) Spawn(string argv0, string verb, Action enterNamespaces, Action leaveNamespaces,
        (int Stdout, int Stderr)? output = null, int? explainFd = null, UserNamespace? user = null, NamespaceFlags cloneNamespaces = NamespaceFlags.None,
        int stdin = ProcessControl.InheritStdin, IReadOnlyList<int>? joinFds = null, int pidNamespaceFd = -1)
    {
        string[] argv = explainFd is null ? [argv0, verb] : [argv0, verb, InitStage.ExplainArgument];
        RuntimeBinary binary = RuntimeBinary.Open();
        int parent = -1, readEnd = -1, writeEnd = -1;
        try
        {
            parent = ProcessControl.OpenOwnPidfd();
            (writeEnd, readEnd) = ProcessControl.CreateSocketPair(); // the stage's end is its fd 3; ours stays here
            try
            {
                enterNamespaces();
                int[] passed = explainFd is { } explain ? [readEnd, parent, explain] : [readEnd, parent];
                int pid = user is not null ? SpawnInUserNamespace(binary, argv, passed, output, user, cloneNamespaces)
                    : cloneNamespaces == NamespaceFlags.None && joinFds is null && pidNamespaceFd < 0
                        ? ProcessControl.Spawn(binary.Path, argv, [], passedFds: passed, output: output, programFd: binary.ProgramFd, stdin: stdin)
                        // A rootless minirun: its thread could enter other namespaces but never come back to the host's.
                        : ProcessControl.SpawnNamespaced(binary.Path, argv, [], passed, output, binary.ProgramFd, cloneNamespaces, -1, null,
                            stdin: stdin, joinFds: joinFds, pidNamespaceFd: pidNamespaceFd);
                return (pid, writeEnd, binary);
            }
            finally
            {
                leaveNamespaces();
            }
        }
        catch
        {
            if (writeEnd >= 0) ProcessControl.Close(writeEnd);
            binary.Dispose();
            throw;
        }
        finally
        {
            if (readEnd >= 0) ProcessControl.Close(readEnd);
            if (parent >= 0) ProcessControl.Close(parent);
        }
    }

    private static int SpawnInUserNamespace(RuntimeBinary binary, string[] argv, int[] passed, (int Stdout, int Stderr)? output,
        UserNamespace user, NamespaceFlags cloneNamespaces)
    {
        int userFd = user.Path is { } path ? ProcessControl.OpenReadOnly(path) : -1;
        try
        {
            NamespaceFlags flags = cloneNamespaces | (userFd < 0 ? NamespaceFlags.User : NamespaceFlags.None);
            return ProcessControl.SpawnNamespaced(binary.Path, argv, [], passed, output, binary.ProgramFd, flags, userFd,
                pid => user.WriteMaps(LinuxSyscalls.Instance, pid));
        }
        finally
        {
            if (userFd >= 0) ProcessControl.Close(userFd);
        }
    }

    /// <summary>
    /// Runs <paramref name="beforeMessage"/> with the stage's PID while it still waits, then sends the message and
    /// closes the channel. If anything fails, the stage is killed and reaped.
    /// </summary>
    /// <param name="afterMessage">with the PID and the channel, still open, after the message (to await the stage's answer).</param>
    public static void Deliver(int pid, int messageFd, byte[] message, Action<int>? beforeMessage, Action<int, int>? afterMessage = null)
    {
        try
        {
            beforeMessage?.Invoke(pid);
            ProcessControl.WriteAll(messageFd, message);
            afterMessage?.Invoke(pid, messageFd);
        }
        catch
        {
            Syscalls.Kill(pid, Signal.Kill);
            ProcessControl.WaitForExit(pid);
            throw;
        }
        finally
        {
            ProcessControl.Close(messageFd);
        }
    }
}
