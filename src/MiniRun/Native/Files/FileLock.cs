using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// An flock(2) lock on a file, released on dispose or when the process dies (so a killed minirun never leaves
/// the store locked).
/// </summary>
public sealed class FileLock : IDisposable
{
    private int _fd;

    private FileLock(int fd) => _fd = fd;

    public static FileLock Exclusive(string path) => Acquire(path, Libc.LOCK_EX);

    public static FileLock Shared(string path) => Acquire(path, Libc.LOCK_SH);

    private static FileLock Acquire(string path, int operation)
    {
        int fd = Libc.open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0x180 /* 0600 */);
        if (fd < 0) throw new NativeException("open", path, Marshal.GetLastPInvokeError());
        while (Libc.flock(fd, operation) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errnos.EINTR) continue;
            Libc.close(fd);
            throw new NativeException("flock", path, errno);
        }
        return new FileLock(fd);
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd < 0) return;
        Libc.close(fd);
    }
}
