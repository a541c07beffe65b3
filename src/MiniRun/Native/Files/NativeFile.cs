using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// A file descriptor opened for writing a new regular file; metadata is set through the descriptor (fchown, fchmod,
/// fsetxattr, futimens), so no later call resolves the path again and none can be redirected by a symlink.
/// </summary>
public sealed unsafe class NativeFile : SafeHandle
{
    private const int O_WRONLY = 0x1, O_CREAT = 0x40, O_EXCL = 0x80, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000;

    private readonly string _path;

    private NativeFile(int fd, string path) : base(-1, ownsHandle: true)
    {
        SetHandle(fd);
        _path = path;
    }

    public override bool IsInvalid => handle == -1;

    private int Fd => (int)handle;

    /// <summary>openat(2) of the entry <paramref name="name"/> of the open directory <paramref name="dirFd"/> with
    /// O_CREAT|O_EXCL|O_NOFOLLOW: null when the name exists (even as a dangling symlink).</summary>
    internal static NativeFile? TryCreateNewAt(int dirFd, string name, string path, uint mode)
    {
        int fd = Libc.openat(dirFd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd >= 0) return new NativeFile(fd, path);
        int errno = Marshal.GetLastPInvokeError();
        if (errno == Errnos.EEXIST) return null;
        throw new NativeException("open", path, errno);
    }

    /// <summary>Writes all of <paramref name="data"/> (write(2) may write less than asked).</summary>
    public void Write(ReadOnlySpan<byte> data) => Syscalls.WriteAll(Fd, data, _path);

    public void ChangeOwner(int uid, int gid)
    {
        if (Libc.fchown(Fd, uid, gid) != 0) throw Fail("fchown");
    }

    public void ChangeMode(uint mode)
    {
        if (Libc.fchmod(Fd, mode) != 0) throw Fail("fchmod");
    }

    public void SetXattr(string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
            if (Libc.fsetxattr(Fd, name, p, (nuint)value.Length, 0) != 0) throw Fail("setxattr " + name);
    }

    public void SetTimes(long seconds, long nanoseconds)
    {
        Libc.Timespec* times = stackalloc Libc.Timespec[2];
        times[0] = new Libc.Timespec { Seconds = seconds, Nanoseconds = nanoseconds };
        times[1] = times[0];
        if (Libc.futimens(Fd, times) != 0) throw Fail("futimens");
    }

    /// <summary>fstat(2) (statx with AT_EMPTY_PATH): the descriptor's inode, no path resolved.</summary>
    public FileStatus Status()
    {
        Libc.StatxBuffer buffer;
        if (Libc.statx(Fd, "", Libc.AT_EMPTY_PATH, 0x7ff, &buffer) != 0) throw Fail("stat");
        return Syscalls.ToFileStatus(buffer);
    }

    private NativeException Fail(string call) => new(call, _path, Marshal.GetLastPInvokeError());

    protected override bool ReleaseHandle() => Libc.close(Fd) == 0;
}
