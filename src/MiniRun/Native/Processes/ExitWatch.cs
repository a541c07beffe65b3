using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// Waits for a child to exit without reaping it (waitid(2) with WNOWAIT): its PID stays reserved until the caller
/// reaps, so a timer that may still signal it cannot hit a recycled PID.
/// </summary>
public static unsafe class ExitWatch
{
    private const int P_PID = 1, WEXITED = 4, WNOWAIT = 0x01000000, SiginfoSize = 128;

    public static void WaitUntilExited(int pid)
    {
        byte* info = stackalloc byte[SiginfoSize];
        while (Libc.waitid(P_PID, pid, info, WEXITED | WNOWAIT) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errnos.EINTR) throw new NativeException("waitid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), errno);
        }
    }
}
