using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// Checked calls for unpacking a tree: "Try" variants report EEXIST as false (the unpacker then replaces the old entry),
/// and times keep nanoseconds (PAX mtime has them). None of them follows a symlink in the last path component.
/// </summary>
public static unsafe class UnpackSyscalls
{
    private static NativeException Fail(string call, string path) => new(call, path, Marshal.GetLastPInvokeError());

    private static bool ExistsOrFail(string call, string path)
    {
        int errno = Marshal.GetLastPInvokeError();
        if (errno == Errnos.EEXIST) return false;
        throw new NativeException(call, path, errno);
    }

    /// <summary>mkdir(2); false when the name exists (whatever it is: mkdir never follows a final symlink).</summary>
    public static bool TryMakeDirectory(string path, uint mode) =>
        Libc.mkdir(path, mode) == 0 || ExistsOrFail("mkdir", path);

    /// <summary>mknod(2) for fifos and devices; false when the name exists.</summary>
    public static bool TryMakeNode(string path, uint mode, uint major, uint minor) =>
        Libc.mknod(path, mode, Syscalls.MakeDevice(major, minor)) == 0 || ExistsOrFail("mknod", path);

    /// <summary>symlink(2); the target is stored as text and never resolved. False when the name exists.</summary>
    public static bool TrySymlink(string target, string linkPath) =>
        Libc.symlink(target, linkPath) == 0 || ExistsOrFail("symlink", linkPath);

    /// <summary>link(2) does not follow a symlink named by <paramref name="existing"/> (link(2), "oldpath is a symbolic link").</summary>
    public static bool TryHardLink(string existing, string newPath) =>
        Libc.link(existing, newPath) == 0 || ExistsOrFail("link", newPath);

    /// <summary>utimensat(2) with AT_SYMLINK_NOFOLLOW, nanosecond precision; sets atime = mtime (as tar does without PAX atime).</summary>
    public static void SetTimes(string path, long seconds, long nanoseconds)
    {
        Libc.Timespec* times = stackalloc Libc.Timespec[2];
        times[0] = new Libc.Timespec { Seconds = seconds, Nanoseconds = nanoseconds };
        times[1] = times[0];
        if (Libc.utimensat(Libc.AT_FDCWD, path, times, Libc.AT_SYMLINK_NOFOLLOW) != 0) throw Fail("utimensat", path);
    }
}
