using System.Runtime.InteropServices;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// While it lives, SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to minirun go to the container's PID 1 instead (minirun
/// itself does not die of them, so teardown always runs). A PID 1 still alive a stop timeout after a forwarded SIGINT
/// or SIGTERM (it ignores them, as a PID 1 without handlers does: pid_namespaces(7)) is killed, as docker stop does.
/// Made before PID 1 gets its spec: the command may start, and be signalled, at once.
/// </summary>
public sealed class SignalForwarding : IDisposable
{
    private readonly int _pid;
    private readonly Timer _killer;
    private readonly List<PosixSignalRegistration> _registrations = [];

    public SignalForwarding(int pid, TimeSpan stopTimeout)
    {
        _pid = pid;
        // Fired at most once; stopped before the reap in WaitForExit returns, so it never signals a recycled PID.
        _killer = new Timer(_ => Syscalls.Kill(pid, Signal.Kill));
        foreach (PosixSignal signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                Syscalls.Kill(pid, Signals.Of(context.Signal));
                if (context.Signal is PosixSignal.SIGINT or PosixSignal.SIGTERM) _killer.Change(stopTimeout, Timeout.InfiniteTimeSpan);
            }));
    }

    /// <summary>Waits for PID 1 and reaps it; returns the exit status, 128+N for a signal, as Docker reports.</summary>
    public int WaitForExit()
    {
        ExitWatch.WaitUntilExited(_pid);
        _killer.Change(Timeout.Infinite, Timeout.Infinite);
        return ProcessControl.WaitForExit(_pid);
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations) registration.Dispose();
        _killer.Dispose();
    }
}
