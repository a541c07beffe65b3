using System.Runtime.InteropServices;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The parent side of a container's PID 1: which namespaces it gets, and the wait for it. The init stage itself (this
/// same binary, verb <see cref="InitStage.Verb"/>) is started by <see cref="InitStageProcess"/>: born in a new PID
/// namespace, it unshares the others itself.
/// </summary>
public sealed class SandboxLauncher
{
    public static NamespaceFlags NamespacesFor(bool isolateNetwork) =>
        NamespaceFlags.Mount | NamespaceFlags.Uts | NamespaceFlags.Ipc | NamespaceFlags.Pid |
        (isolateNetwork ? NamespaceFlags.Network : NamespaceFlags.None);

    /// <summary>What the init stage unshares itself once it has its spec: all of <see cref="NamespacesFor"/> but PID.</summary>
    public static NamespaceFlags UnsharedByInit(bool isolateNetwork) => NamespacesFor(isolateNetwork) & ~NamespaceFlags.Pid;

    /// <summary>Docker's default for `docker stop` and for a container that ignores the signal it was sent.</summary>
    public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Waits for the container's PID 1, forwarding SIGINT, SIGTERM, SIGHUP and SIGQUIT to it (minirun itself does
    /// not die of them, so teardown always runs). A PID 1 still alive <paramref name="stopTimeout"/> after a forwarded
    /// SIGINT or SIGTERM (it ignores them, as a PID 1 without handlers does: pid_namespaces(7)) is killed, as docker
    /// stop does. Returns the exit status, 128+N for a signal, as Docker reports.
    /// </summary>
    public static int Wait(int pid) => Wait(pid, DefaultStopTimeout);

    /// <summary>As <see cref="Wait(int)"/> with a stop timeout of the caller's.</summary>
    public static int Wait(int pid, TimeSpan stopTimeout)
    {
        // Fired at most once; disposed before the reap below returns, so it never signals a recycled PID.
        using var killer = new Timer(_ => Syscalls.Kill(pid, 9));
        var registrations = new List<PosixSignalRegistration>();
        foreach (PosixSignal signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
            registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                Syscalls.Kill(pid, SignalNumber(context.Signal));
                if (context.Signal is PosixSignal.SIGINT or PosixSignal.SIGTERM) killer.Change(stopTimeout, Timeout.InfiniteTimeSpan);
            }));
        try
        {
            ExitWatch.WaitUntilExited(pid);
            killer.Change(Timeout.Infinite, Timeout.Infinite);
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
