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
    /// <param name="enterNamespaces">runs on the dedicated thread, before the spawn.</param>
    /// <param name="beforeMessage">runs with the child's PID while the child still waits for its message (e.g. to put
    /// it in its cgroup); if it fails, the child is killed.</param>
    public static int Spawn(string argv0, string verb, Action enterNamespaces, byte[] message, Action<int>? beforeMessage)
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
        try
        {
            if (failure is not null) throw failure;
            try
            {
                beforeMessage?.Invoke(pid);
            }
            catch
            {
                Syscalls.Kill(pid, 9);
                ProcessControl.WaitForExit(pid);
                throw;
            }
            ProcessControl.WriteAll(writeEnd, message);
        }
        finally
        {
            ProcessControl.Close(writeEnd);
        }
        return pid;
    }
}
