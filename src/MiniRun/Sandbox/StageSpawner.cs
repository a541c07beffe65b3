using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// Starts a stage of this same binary (the init stage, the exec stage) inside other namespaces, without fork() in
/// managed code: the calling thread changes its own namespaces (unshare(2) and setns(2) are per-thread for these),
/// posix_spawn()s the child, which is born inside them, and changes them back at once. Nothing in between starts a
/// thread: one whose PID namespace for children is not its own cannot (clone(2): EINVAL). No dedicated thread either:
/// NativeAOT's Thread.Start spins (sched_yield) until the new thread runs, which costs a start up to a millisecond on
/// a busy machine. The stage's message goes over a pipe on its fd 3.
/// </summary>
internal static class StageSpawner
{
    /// <summary>Spawns the stage; returns its PID and the write end of its message pipe (see <see cref="Deliver"/>).</summary>
    /// <param name="enterNamespaces">moves the calling thread into the stage's namespaces, before the spawn.</param>
    /// <param name="leaveNamespaces">moves it back, after the spawn (also when entering or spawning failed).</param>
    /// <param name="output">the stage's stdout and stderr, when not ours.</param>
    public static (int Pid, int MessageFd) Spawn(string argv0, string verb, Action enterNamespaces, Action leaveNamespaces,
        (int Stdout, int Stderr)? output = null)
    {
        string self = Environment.ProcessPath ?? "/proc/self/exe";
        string[] argv = [argv0, verb];
        (int readEnd, int writeEnd) = ProcessControl.CreatePipe();
        try
        {
            try
            {
                enterNamespaces();
                return (ProcessControl.Spawn(self, argv, [], extraFd: readEnd, output: output), writeEnd);
            }
            finally
            {
                leaveNamespaces();
            }
        }
        catch
        {
            ProcessControl.Close(writeEnd);
            throw;
        }
        finally
        {
            ProcessControl.Close(readEnd);
        }
    }

    /// <summary>
    /// Runs <paramref name="beforeMessage"/> with the stage's PID while it still waits, then sends the message and
    /// closes the pipe. If anything fails, the stage is killed and reaped.
    /// </summary>
    public static void Deliver(int pid, int messageFd, byte[] message, Action<int>? beforeMessage)
    {
        try
        {
            beforeMessage?.Invoke(pid);
            ProcessControl.WriteAll(messageFd, message);
        }
        catch
        {
            Syscalls.Kill(pid, 9);
            ProcessControl.WaitForExit(pid);
            throw;
        }
        finally
        {
            ProcessControl.Close(messageFd);
        }
    }
}
