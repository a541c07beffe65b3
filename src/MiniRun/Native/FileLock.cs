using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// An exclusive flock(2) on a lock file, held until disposed. The kernel drops it when the process dies,
/// so a crash never leaves a stale lock behind (unlike an exclusive-create lock file).
/// </summary>
public sealed class FileLock : IDisposable
{
    private int _fd;
    private readonly string _path;

    private FileLock(int fd, string path)
    {
        _fd = fd;
        _path = path;
    }

    /// <summary>Opens (creating) <paramref name="path"/> and blocks until the exclusive lock is ours.</summary>
    public static FileLock Acquire(string path)
    {
        const int O_RDWR = 2, O_CREAT = 0x40, O_CLOEXEC = 0x80000;
        int fd = Libc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0x180 /* 0600 */);
        if (fd < 0) throw new NativeException("open", path, Marshal.GetLastPInvokeError());
        while (Libc.flock(fd, Libc.LOCK_EX) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errnos.EINTR) continue;
            Libc.close(fd);
            throw new NativeException("flock", path, errno);
        }
        return new FileLock(fd, path);
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd < 0) return;
        Libc.flock(fd, Libc.LOCK_UN);
        Libc.close(fd);
    }

    public override string ToString() => _path;
}
