using System.Runtime.InteropServices;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// While it lives, SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to minirun go to the container's PID 1 instead (minirun
/// itself does not die of them, so teardown always runs), as Docker's CLI proxies them (--sig-proxy). A PID 1 still
/// alive a stop timeout after the first forwarded SIGINT or SIGTERM (it ignores them, as a PID 1 without handlers does:
/// pid_namespaces(7)) is killed, as docker stop does; further ones do not restart that wait. The third one kills it
/// at once: Docker's CLI gives up at the third ("got 3 SIGTERM/SIGINTs, forcefully exiting"), and a foreground run,
/// which owns its container, ends it rather than leaving it behind. Made before PID 1 gets its spec: the command may
/// start, and be signalled, at once. A SIGTERM, what a service manager or `kill` sends minirun to end it, becomes the
/// container's stop signal, as `minirun stop` would send; a Ctrl-C stays SIGINT.
/// </summary>
public sealed class SignalForwarding : IDisposable
{
    /// <summary>Interrupts (SIGINT or SIGTERM) after which PID 1 is killed without waiting.</summary>
    public const int ForcingInterrupts = 3;
    /// <summary>How long a PID 1 may take to act on the first interrupt before the user is told how to force it.</summary>
    public static readonly TimeSpan NoticeDelay = TimeSpan.FromSeconds(2);

    private readonly int _pid;
    private readonly TimeSpan _stopTimeout;
    private readonly Action<string>? _notice;
    private readonly Timer _killer, _noticer;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly Lock _lock = new();
    private int _interrupts;
    private Signal _firstSent;
    private bool _reaped;

    /// <param name="forwarded">told of each signal before it is sent on (the restart policy counts it as the user's stop).</param>
    /// <param name="notice">told, in one line, what happens to a PID 1 that goes on running after an interrupt (a foreground
    /// run shows it on stderr); null: nobody is told (a detached container's supervisor).</param>
    public SignalForwarding(int pid, TimeSpan stopTimeout, Signal stopSignal = Signal.Term, Action<Signal>? forwarded = null, Action<string>? notice = null)
    {
        _pid = pid;
        _stopTimeout = stopTimeout;
        _notice = notice;
        // Each fires at most once; both stop before the reap in WaitForExit, so neither signals a recycled PID.
        _killer = new Timer(_ => Kill($"the container did not stop within {Seconds(stopTimeout)} of {Signals.Name(_firstSent)}: killing it (SIGKILL)"));
        _noticer = new Timer(_ => StillRunning());
        foreach (PosixSignal signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                Signal sent = context.Signal == PosixSignal.SIGTERM ? stopSignal : Signals.Of(context.Signal);
                forwarded?.Invoke(sent);
                if (context.Signal is not (PosixSignal.SIGINT or PosixSignal.SIGTERM))
                {
                    Syscalls.Kill(pid, sent);
                    return;
                }
                Interrupted(sent);
            }));
    }

    private void Interrupted(Signal sent)
    {
        int count;
        lock (_lock)
        {
            if (_reaped) return;
            count = ++_interrupts;
            if (count == 1)
            {
                _firstSent = sent;
                _killer.Change(_stopTimeout, Timeout.InfiniteTimeSpan); // from the first: a second Ctrl-C does not postpone the kill
                if (_notice is not null) _noticer.Change(NoticeDelay, Timeout.InfiniteTimeSpan);
            }
        }
        if (count >= ForcingInterrupts) Kill($"got {count} SIGINT/SIGTERMs: killing the container (SIGKILL)");
        else Syscalls.Kill(_pid, sent);
    }

    /// <summary>The first interrupt did not end PID 1 (yet): say what ends it.</summary>
    private void StillRunning()
    {
        lock (_lock)
        {
            if (_reaped || _interrupts >= ForcingInterrupts || ExitWatch.HasExited(_pid)) return;
            int more = ForcingInterrupts - _interrupts;
            string wait = _stopTimeout == Timeout.InfiniteTimeSpan ? "" : $", or it is killed {Seconds(_stopTimeout)} after the first";
            _notice?.Invoke($"sent {Signals.Name(_firstSent)} to the container, which goes on running; press Ctrl-C {(more == 1 ? "once" : "twice")} more to kill it{wait}");
        }
    }

    private void Kill(string why)
    {
        lock (_lock)
        {
            if (_reaped || ExitWatch.HasExited(_pid)) return;
            _notice?.Invoke(why);
            Syscalls.Kill(_pid, Signal.Kill);
        }
    }

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.###} s";

    /// <summary>Waits for PID 1 and reaps it; returns the exit status, 128+N for a signal, as Docker reports.</summary>
    public int WaitForExit()
    {
        ExitWatch.WaitUntilExited(_pid);
        lock (_lock)
        {
            _reaped = true; // no timer nor signal handler touches the PID from here
            _killer.Change(Timeout.Infinite, Timeout.Infinite);
            _noticer.Change(Timeout.Infinite, Timeout.Infinite);
        }
        return ProcessControl.WaitForExit(_pid);
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations) registration.Dispose();
        _killer.Dispose();
        _noticer.Dispose();
    }
}
