using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace MiniRun.Native;

/// <summary>
/// An O_PATH descriptor on one entry of a tree (open(2) "O_PATH"): it pins the inode without opening it, so what is
/// stat'ed, read, listed or archived through it is that inode, whatever is renamed over its name meanwhile. A regular
/// file is read by reopening its /proc/self/fd link (the inode it pins: no path is resolved again); a device node or
/// FIFO is never opened at all, so a container that swaps one in cannot make the host read a disk or block on a pipe.
/// </summary>
public sealed unsafe class PathHandle : SafeHandle
{
    private readonly string _pathForErrors;

    internal PathHandle(int fd, string pathForErrors) : base(-1, ownsHandle: true)
    {
        SetHandle(fd);
        _pathForErrors = pathForErrors;
    }

    public override bool IsInvalid => handle == -1;

    internal int Fd => (int)handle;

    /// <summary>The /proc/self/fd link that reaches the pinned inode (for calls that take only a path: getxattr).</summary>
    private string ProcLink => "/proc/self/fd/" + Fd;

    /// <summary>fstat(2) of the pinned inode (statx with AT_EMPTY_PATH): a symlink is itself, never its target.</summary>
    public FileStatus Status()
    {
        Libc.StatxBuffer buffer;
        if (Libc.statx(Fd, "", Libc.AT_EMPTY_PATH | Libc.AT_SYMLINK_NOFOLLOW, 0x7ff, &buffer) != 0) throw Fail("stat");
        return Syscalls.ToFileStatus(buffer);
    }

    /// <summary>The target of the pinned symlink (readlinkat(2) with an empty path).</summary>
    public string ReadLink()
    {
        byte* target = stackalloc byte[4096];
        nint length = Libc.readlinkat(Fd, "", target, 4096);
        if (length < 0) throw Fail("readlink");
        return Encoding.UTF8.GetString(target, (int)length);
    }

    /// <summary>The pinned directory, opened for listing ("." relative to it: the same inode).</summary>
    public NativeDirectory OpenDirectory() => NativeDirectory.OpenAt(Fd, ".", _pathForErrors);

    /// <summary>The pinned regular file, opened for reading; anything else is refused before any open.</summary>
    public SafeFileHandle OpenForReading(FileStatus status)
    {
        if (!status.IsRegular) throw new NativeException("open", _pathForErrors, Errnos.EINVAL);
        int fd = Libc.open(ProcLink, Libc.O_RDONLY | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw Fail("open");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The xattr names, sorted; none for a symlink (Linux keeps user xattrs off them, and a link is not followed).</summary>
    public List<string> ListXattrs(FileStatus status)
    {
        if (status.IsSymlink) return [];
        var names = new List<string>(Syscalls.ListXattrs(ProcLink, follow: true));
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>The value of one xattr, or null when there is none of that name (never read through a symlink).</summary>
    public byte[]? GetXattr(FileStatus status, string name) =>
        status.IsSymlink ? null : Syscalls.GetXattr(ProcLink, name, follow: true);

    private NativeException Fail(string call) => new(call, _pathForErrors, Marshal.GetLastPInvokeError());

    protected override bool ReleaseHandle() => Libc.close(Fd) == 0;
}
