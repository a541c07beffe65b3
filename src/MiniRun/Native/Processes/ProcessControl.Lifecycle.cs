using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>Descriptors that exec needs before it enters another mount namespace.</summary>
public static partial class ProcessControl
{
    /// <summary>
    /// open(2) with O_PATH: a handle on a file that stays valid after the thread enters another mount namespace
    /// (the binary to spawn, the container's root, its namespace files), close-on-exec.
    /// </summary>
    public static int OpenPath(string path, bool directory = false)
    {
        int fd = Libc.open(path, Libc.O_PATH | Libc.O_CLOEXEC | (directory ? Libc.O_DIRECTORY : 0), 0);
        if (fd < 0) throw new NativeException("open", path, Marshal.GetLastPInvokeError());
        return fd;
    }

    /// <summary>open(2) read-only, close-on-exec (setns(2) takes a namespace file opened this way).</summary>
    public static int OpenReadOnly(string path)
    {
        int fd = Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new NativeException("open", path, Marshal.GetLastPInvokeError());
        return fd;
    }
}
