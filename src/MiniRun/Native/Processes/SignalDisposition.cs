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

    public static void UnignoreInterruptAndTerminate()
    {
        foreach (Signal signal in new[] { Signal.Int, Signal.Term })
        {
            nint previous = SetHandler(signal, SigDefault);
            if (previous != SigIgnore) SetHandler(signal, previous); // only an inherited SIG_IGN is undone
        }
    }
}
