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

    /// <summary>
    /// Opens <paramref name="name"/> in the directory open on <paramref name="directoryFd"/> for writing, close-on-exec:
    /// a fifo's open blocks until a reader opens it (fifo(7)); relative to a descriptor, it works from inside another root.
    /// </summary>
    public static int OpenForWritingAt(int directoryFd, string name)
    {
        int fd;
        while ((fd = Libc.openat(directoryFd, name, Libc.O_WRONLY | Libc.O_CLOEXEC, 0)) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errnos.EINTR) throw new NativeException("open", name, errno);
        }
        return fd;
    }
}
