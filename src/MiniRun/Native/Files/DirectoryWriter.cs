using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MiniRun.Native;

/// <summary>
/// A directory that files are written into one name at a time, relative to its descriptor (mkdirat, openat with
/// O_NOFOLLOW, symlinkat): no path is resolved again, and no symbolic link on the way is followed, whoever renames
/// things meanwhile. What `cp` into a container writes goes through here, from a directory resolved inside the
/// container's root (<see cref="InRootResolver"/>): a link the container swaps in is refused, never written through.
/// </summary>
public sealed unsafe class DirectoryWriter : IDisposable
{
    private readonly int _fd;
    private readonly string _path;

    private DirectoryWriter(int fd, string path)
    {
        _fd = fd;
        _path = path;
    }

    /// <summary>Writes into the directory an O_PATH <paramref name="handle"/> holds (a copy of its descriptor is kept).</summary>
    public static DirectoryWriter From(PathHandle handle, string path)
    {
        int fd = Libc.openat(handle.Fd, ".", Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        return fd >= 0 ? new DirectoryWriter(fd, path) : throw new NativeException("open", path, Marshal.GetLastPInvokeError());
    }

    public static DirectoryWriter Open(string path)
    {
        int fd = Libc.open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        return fd >= 0 ? new DirectoryWriter(fd, path) : throw new NativeException("open", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>The subdirectory <paramref name="name"/>, made when missing; a symbolic link there is refused (ELOOP, ENOTDIR).</summary>
    public DirectoryWriter Directory(string name, uint mode)
    {
        if (Libc.mkdirat(_fd, name, mode) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != Errnos.EEXIST)
            throw new NativeException("mkdir", Child(name), errno);
        int fd = Libc.openat(_fd, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        return fd >= 0 ? new DirectoryWriter(fd, Child(name)) : throw new NativeException("open", Child(name), Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// A new regular file <paramref name="name"/> (what was there, a file or a link, is replaced; O_EXCL|O_NOFOLLOW):
    /// nothing is written through a link, a fifo or a device node that the container put there.
    /// </summary>
    public SafeFileHandle NewFile(string name)
    {
        if (Libc.unlinkat(_fd, name, 0) != 0 && Marshal.GetLastPInvokeError() is var gone && gone != Errnos.ENOENT)
            throw new NativeException("unlink", Child(name), gone);
        int fd = Libc.openat(_fd, name, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0x180);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw new NativeException("open", Child(name), Marshal.GetLastPInvokeError());
    }

    /// <summary>Owner, then mode (chown(2) clears setuid and setgid), of a file this writer made.</summary>
    public static void SetOwnerAndMode(SafeFileHandle file, int uid, int gid, uint mode)
    {
        int fd = (int)file.DangerousGetHandle();
        if (Libc.fchown(fd, uid, gid) != 0) throw new NativeException("fchown", null, Marshal.GetLastPInvokeError());
        if (Libc.fchmod(fd, mode) != 0) throw new NativeException("fchmod", null, Marshal.GetLastPInvokeError());
    }

    /// <summary>A symbolic link <paramref name="name"/> → <paramref name="target"/>, replacing a file or link of that name.</summary>
    public void Symlink(string name, string target)
    {
        if (Libc.symlinkat(target, _fd, name) == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        if (errno != Errnos.EEXIST || Libc.unlinkat(_fd, name, 0) != 0 || Libc.symlinkat(target, _fd, name) != 0)
            throw new NativeException("symlink", Child(name), errno == Errnos.EEXIST ? Marshal.GetLastPInvokeError() : errno);
    }

    /// <summary>chown of the entry itself (a link is not followed).</summary>
    public void ChangeOwner(string name, int uid, int gid)
    {
        if (Libc.fchownat(_fd, name, uid, gid, Libc.AT_SYMLINK_NOFOLLOW) != 0) throw new NativeException("chown", Child(name), Marshal.GetLastPInvokeError());
    }

    /// <summary>This directory's own mode.</summary>
    public void ChangeMode(uint mode)
    {
        if (Libc.fchmod(_fd, mode) != 0) throw new NativeException("chmod", _path, Marshal.GetLastPInvokeError());
    }

    private string Child(string name) => _path + "/" + name;

    public void Dispose() => Libc.close(_fd);
}
