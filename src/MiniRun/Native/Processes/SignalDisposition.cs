using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// Undoes an inherited "ignore" of SIGINT/SIGTERM. A shell starts background jobs with SIGINT ignored, and .NET
/// then leaves it ignored even when a handler is registered; but `minirun run` must forward these signals to the
/// container wherever it was started from (docker run does: Go's signal.Notify un-ignores them too).
/// Call before anything initialises .NET's signal handling.
/// </summary>
public static unsafe partial class SignalDisposition
{
    private static readonly nint SigDefault = 0, SigIgnore = 1;

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint SetHandler(Signal signal, nint handler);

    /// <summary>
    /// Before a stage's execve: every signal ignored here (SIGPIPE by .NET, any a shell left ignored) back to its default,
    /// since an ignore outlives execve(2) and a command's shell cannot even trap a signal ignored at its start (POSIX).
    /// Handlers need nothing: execve resets them.
    /// </summary>
    public static void ResetIgnored()
    {
        for (int number = 1; number < 32; number++) // the real-time signals are glibc's own (32, 33) or never ignored
        {
            if (number is (int)Signal.Kill or 19) continue; // SIGKILL, SIGSTOP: cannot be changed
            nint previous = SetHandler((Signal)number, SigDefault);
            if (previous != SigIgnore) SetHandler((Signal)number, previous);
        }
    }

    /// <summary>After an execve that failed: SIGPIPE ignored again, as .NET had it, so that reporting the failure to a
    /// reader that has gone fails with EPIPE instead of killing the stage (the status would then say 141, not 127).</summary>
    public static void IgnoreBrokenPipe() => SetHandler(Signal.Pipe, SigIgnore);

    public static void UnignoreInterruptAndTerminate()
    {
        foreach (Signal signal in new[] { Signal.Int, Signal.Term })
        {
            nint previous = SetHandler(signal, SigDefault);
            if (previous != SigIgnore) SetHandler(signal, previous); // only an inherited SIG_IGN is undone
        }
    }
}
