using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// Waits for a child to exit without reaping it (waitid(2) with WNOWAIT): its PID stays reserved until the caller
/// reaps, so a timer that may still signal it cannot hit a recycled PID.
/// </summary>
public static unsafe class ExitWatch
{
    private const int P_PID = 1, WEXITED = 4, WNOHANG = 1, WNOWAIT = 0x01000000, SiginfoSize = 128;
    // siginfo_t: si_signo, si_errno, si_code, then (64-bit: after 4 bytes of padding) the union whose first field is si_pid.
    private const int SiPidOffset = 16;

    public static void WaitUntilExited(int pid)
    {
        byte* info = stackalloc byte[SiginfoSize];
        while (Libc.waitid(P_PID, pid, info, WEXITED | WNOWAIT) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errnos.EINTR) throw new NativeException("waitid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), errno);
        }
    }

    /// <summary>Whether the child has exited (not reaped: its PID stays reserved); waitid(2) WNOHANG leaves si_pid 0 when it has not.</summary>
    public static bool HasExited(int pid)
    {
        byte* info = stackalloc byte[SiginfoSize];
        new Span<byte>(info, SiginfoSize).Clear();
        while (Libc.waitid(P_PID, pid, info, WEXITED | WNOWAIT | WNOHANG) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errnos.ECHILD) return true; // reaped already
            if (errno != Errnos.EINTR) throw new NativeException("waitid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), errno);
        }
        return *(int*)(info + SiPidOffset) != 0;
    }
}
