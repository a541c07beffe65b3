using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace MiniRun.Native;

/// <summary>
/// An open directory whose entries are listed (readdir(3)) and looked at relative to it (statx, readlinkat, openat):
/// walking a deep tree this way resolves one name per call instead of the whole path, and never follows a symlink.
/// </summary>
public sealed unsafe class NativeDirectory : SafeHandle
{
    private readonly string _path;

    private NativeDirectory(nint dir, string path) : base(0, ownsHandle: true)
    {
        SetHandle(dir);
        _path = path;
    }

    public override bool IsInvalid => handle == 0;

    private int Fd => Libc.dirfd(handle);

    /// <summary>Opens the directory at <paramref name="path"/> (a final symlink is refused, ELOOP).</summary>
    public static NativeDirectory Open(string path) => FromFd(Libc.open(path, Flags, 0), path);

    /// <summary>Opens the subdirectory <paramref name="name"/> of this one.</summary>
    public NativeDirectory OpenDirectory(string name) => OpenAt(Fd, name, _path + "/" + name);

    /// <summary>
    /// Opens the subdirectory <paramref name="name"/> unless it is a mount point, of any kind, bind mounts included
    /// (openat2(2) RESOLVE_NO_XDEV): null then. What is mounted there is not this tree's to walk.
    /// </summary>
    public unsafe NativeDirectory? OpenDirectoryOnThisMount(string name)
    {
        var how = new Libc.OpenHow { Flags = (ulong)Flags, Resolve = Libc.RESOLVE_NO_XDEV | Libc.RESOLVE_NO_SYMLINKS };
        int fd = (int)Libc.syscall_openat2(Libc.SYS_openat2, Fd, name, &how, (nuint)sizeof(Libc.OpenHow));
        if (fd < 0 && Marshal.GetLastPInvokeError() == Errnos.EXDEV) return null;
        return FromFd(fd, _path + "/" + name);
    }

    /// <summary>Opens the directory <paramref name="name"/> relative to <paramref name="dirFd"/> (a final symlink is refused).</summary>
    internal static NativeDirectory OpenAt(int dirFd, string name, string pathForErrors) =>
        FromFd(Libc.openat(dirFd, name, Flags, 0), pathForErrors);

    /// <summary>
    /// An O_PATH handle on the entry <paramref name="name"/> itself (a symlink is not followed): what it is and what it
    /// holds are then read through the handle, so a rename over the name after this cannot redirect them. Null when
    /// the entry is gone (removed since it was listed).
    /// </summary>
    public PathHandle? TryOpenEntry(string name)
    {
        int fd = Libc.openat(Fd, name, Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd >= 0) return new PathHandle(fd, _path + "/" + name);
        int errno = Marshal.GetLastPInvokeError();
        return errno == Errnos.ENOENT ? null : throw new NativeException("open", _path + "/" + name, errno);
    }

    private const int Flags = Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;

    private static NativeDirectory FromFd(int fd, string path)
    {
        if (fd < 0) throw new NativeException("open", path, Marshal.GetLastPInvokeError());
        nint dir = Libc.fdopendir(fd);
        if (dir != 0) return new NativeDirectory(dir, path);
        int errno = Marshal.GetLastPInvokeError();
        Libc.close(fd);
        throw new NativeException("fdopendir", path, errno);
    }

    /// <summary>The entries of the directory, "." and ".." left out, in the order readdir gives them.</summary>
    public List<DirectoryEntry> ReadEntries()
    {
        var entries = new List<DirectoryEntry>();
        Marshal.SetLastPInvokeError(0);
        for (nint entry = Libc.readdir(handle); entry != 0; entry = Libc.readdir(handle))
        {
            var name = new ReadOnlySpan<byte>((byte*)entry + Libc.DirentNameOffset, 256);
            name = name[..name.IndexOf((byte)0)];
            if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)) continue;
            entries.Add(new DirectoryEntry(Encoding.UTF8.GetString(name), *((byte*)entry + Libc.DirentTypeOffset), *(ulong*)entry));
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno != 0) throw new NativeException("readdir", _path, errno);
        return entries;
    }

    /// <summary>lstat(2) of the entry <paramref name="name"/>.</summary>
    public FileStatus LStat(string name)
    {
        Libc.StatxBuffer buffer;
        if (Libc.statx(Fd, name, Libc.AT_SYMLINK_NOFOLLOW, 0x7ff, &buffer) != 0)
            throw new NativeException("stat", _path + "/" + name, Marshal.GetLastPInvokeError());
        return Syscalls.ToFileStatus(buffer);
    }

    /// <summary>The target of the symlink <paramref name="name"/>, as text.</summary>
    public string ReadLink(string name)
    {
        byte* target = stackalloc byte[4096]; // PATH_MAX: a symlink's target is never longer
        nint length = Libc.readlinkat(Fd, name, target, 4096);
        if (length < 0) throw new NativeException("readlink", _path + "/" + name, Marshal.GetLastPInvokeError());
        return Encoding.UTF8.GetString(target, (int)length);
    }

    /// <summary>Opens the regular file <paramref name="name"/> for reading (a symlink is refused, ELOOP).</summary>
    public SafeFileHandle OpenFile(string name)
    {
        int fd = Libc.openat(Fd, name, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new NativeException("open", _path + "/" + name, Marshal.GetLastPInvokeError());
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>unlinkat(2) of the entry <paramref name="name"/>: an empty directory (AT_REMOVEDIR) or anything else.</summary>
    public void Remove(string name, bool directory)
    {
        if (Libc.unlinkat(Fd, name, directory ? Libc.AT_REMOVEDIR : 0) != 0)
            throw new NativeException(directory ? "rmdir" : "unlink", _path + "/" + name, Marshal.GetLastPInvokeError());
    }

    protected override bool ReleaseHandle() => Libc.closedir(handle) == 0;
}

/// <summary>What readdir(3) says of an entry: its name, d_type (<see cref="IsRegular"/>; 0 when the filesystem does not say) and inode.</summary>
public readonly record struct DirectoryEntry(string Name, byte Type, ulong Inode)
{
    public bool IsRegular => Type == Libc.DT_REG;
    public bool IsDirectory => Type == Libc.DT_DIR;
    public bool IsKnown => Type != Libc.DT_UNKNOWN;
}
