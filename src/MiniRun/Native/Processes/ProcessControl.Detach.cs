using System.Runtime.InteropServices;

namespace MiniRun.Native;

public static unsafe partial class ProcessControl
{
    /// <summary>
    /// The calling process leaves its session and terminal (setsid(2)) and takes /dev/null as its stdin, stdout and
    /// stderr: a long-lived helper (the rootless pause process) that a Ctrl-C to the terminal must not reach and
    /// that must not hold a caller's pipe open.
    /// </summary>
    public static void DetachFromTerminal()
    {
        if (Libc.setsid() < 0) throw new NativeException("setsid", null, Marshal.GetLastPInvokeError());
        int fd = Libc.open("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new NativeException("open", "/dev/null", Marshal.GetLastPInvokeError());
        for (int target = 0; target <= 2; target++)
            if (Libc.dup3(fd, target, 0) < 0) throw new NativeException("dup3", $"/dev/null onto fd {target}", Marshal.GetLastPInvokeError());
        if (fd > 2) Libc.close(fd);
    }
}
