using System.Runtime.InteropServices;
using System.Text.Json;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The parent side: starts the init stage (this same binary, verb <see cref="InitStage.Verb"/>) inside new namespaces
/// without fork() in managed code. A dedicated thread unshares the namespaces — a per-thread change for mount, UTS,
/// IPC, network, and "PID namespace for children" — and posix_spawn()s the child from there, so the child is born
/// inside them and becomes PID 1 while the rest of minirun stays on the host.
/// </summary>
public sealed class SandboxLauncher
{
    public static NamespaceFlags NamespacesFor(bool isolateNetwork) =>
        NamespaceFlags.Mount | NamespaceFlags.Uts | NamespaceFlags.Ipc | NamespaceFlags.Pid |
        (isolateNetwork ? NamespaceFlags.Network : NamespaceFlags.None);

    /// <summary>
    /// Starts the init stage and returns its host PID; the spec is sent over a pipe on the child's fd 3.
    /// <paramref name="beforeSpec"/> runs with the child's PID while the child still waits for its spec (it puts the
    /// child in its cgroup, so everything the container runs is in it from the start); if it fails, the child is killed.
    /// </summary>
    public static int Start(InitSpec spec, NamespaceFlags namespaces, Action<int>? beforeSpec = null)
    {
        // Everything that allocates much or may start a runtime thread happens here, before the thread unshares.
        byte[] message = JsonSerializer.SerializeToUtf8Bytes(spec, SandboxJsonContext.Default.InitSpec);
        string self = Environment.ProcessPath ?? "/proc/self/exe";
        string[] argv = ["minirun-init", InitStage.Verb];
        (int readEnd, int writeEnd) = ProcessControl.CreatePipe();

        int pid = 0;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Syscalls.Unshare(namespaces);
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
                beforeSpec?.Invoke(pid);
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

    /// <summary>
    /// Waits for the container's PID 1, forwarding SIGINT, SIGTERM, SIGHUP and SIGQUIT to it (minirun itself does
    /// not die of them, so teardown always runs). Returns the exit status, 128+N for a signal, as Docker reports.
    /// </summary>
    public static int Wait(int pid)
    {
        var registrations = new List<PosixSignalRegistration>();
        foreach (PosixSignal signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
            registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                Syscalls.Kill(pid, SignalNumber(context.Signal));
            }));
        try
        {
            return ProcessControl.WaitForExit(pid);
        }
        finally
        {
            foreach (PosixSignalRegistration registration in registrations) registration.Dispose();
        }
    }

    private static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGQUIT => 3,
        _ => 15,
    };
}
