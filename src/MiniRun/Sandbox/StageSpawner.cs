using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// Starts a stage of this same binary (the init stage, the exec stage) inside other namespaces, without fork() in
/// managed code: a dedicated thread changes its own namespaces (unshare(2) or setns(2) are per-thread for these) and
/// posix_spawn()s the child from there, so the child is born inside them. The thread is used for nothing else: one
/// that has entered another PID namespace cannot start threads. The stage's message goes over a pipe on its fd 3.
/// </summary>
internal static class StageSpawner
{
    /// <summary>Spawns the stage; returns its PID and the write end of its message pipe (see <see cref="Deliver"/>).</summary>
    /// <param name="enterNamespaces">runs on the dedicated thread, before the spawn.</param>
    public static (int Pid, int MessageFd) Spawn(string argv0, string verb, Action enterNamespaces)
    {
        string self = Environment.ProcessPath ?? "/proc/self/exe";
        string[] argv = [argv0, verb];
        (int readEnd, int writeEnd) = ProcessControl.CreatePipe();
        int pid = 0;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                enterNamespaces();
                pid = ProcessControl.Spawn(self, argv, [], extraFd: readEnd);
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        ProcessControl.Close(readEnd);
        if (failure is null) return (pid, writeEnd);
        ProcessControl.Close(writeEnd);
        throw failure;
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
