using System.Runtime.InteropServices;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// While it lives, SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to minirun go to the container's PID 1 instead (minirun
/// itself does not die of them, so teardown always runs). A PID 1 still alive a stop timeout after a forwarded SIGINT
/// or SIGTERM (it ignores them, as a PID 1 without handlers does: pid_namespaces(7)) is killed, as docker stop does.
/// Made before PID 1 gets its spec: the command may start, and be signalled, at once. A SIGTERM, what a service manager
/// or `kill` sends minirun to end it, becomes the container's stop signal, as `minirun stop` would send; a Ctrl-C stays SIGINT.
/// </summary>
public sealed class SignalForwarding : IDisposable
{
    private readonly int _pid;
    private readonly Timer _killer;
    private readonly List<PosixSignalRegistration> _registrations = [];

    /// <param name="forwarded">told of each signal before it is sent on (the restart policy counts it as the user's stop).</param>
    public SignalForwarding(int pid, TimeSpan stopTimeout, Signal stopSignal = Signal.Term, Action<Signal>? forwarded = null)
    {
        _pid = pid;
        // Fired at most once; stopped before the reap in WaitForExit returns, so it never signals a recycled PID.
        _killer = new Timer(_ => Syscalls.Kill(pid, Signal.Kill));
        foreach (PosixSignal signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                Signal sent = context.Signal == PosixSignal.SIGTERM ? stopSignal : Signals.Of(context.Signal);
                forwarded?.Invoke(sent);
                Syscalls.Kill(pid, sent);
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
