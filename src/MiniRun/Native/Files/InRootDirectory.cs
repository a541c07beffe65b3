using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// A directory of an <see cref="InRootTree"/>, held open (O_PATH), and the calls on one name in it: each acts on that
/// name itself (never following it when it is a symlink) and resolves nothing else, so nothing can take it out of the
/// root. "Try" calls report an existing name as false, as <see cref="UnpackSyscalls"/> does.
/// </summary>
public sealed unsafe class InRootDirectory : SafeHandle
{
    private readonly string _root;

    internal InRootDirectory(int fd, string root, string realRelative) : base(-1, ownsHandle: true)
    {
        SetHandle(fd);
        _root = root;
        RealRelative = realRelative;
    }

    public override bool IsInvalid => handle == -1;

    internal int Fd => (int)handle;

    /// <summary>Where the directory really is below the root ("" for the root itself): no symlink on the way.</summary>
    public string RealRelative { get; }

    /// <summary>The directory's host path, symlink free: what the seam's path calls and messages take.</summary>
    public string RealPath => RealRelative.Length == 0 ? _root : _root + "/" + RealRelative;

    /// <summary>The real path below the root of the entry <paramref name="name"/> ("." is the directory itself).</summary>
    public string RealRelativeOf(string name) => name == "." ? RealRelative : RealRelative.Length == 0 ? name : RealRelative + "/" + name;

    private string PathOf(string name) => name == "." ? RealPath : RealPath + "/" + name;

    /// <summary>lstat(2) of the entry; null when nothing is there.</summary>
    public FileStatus? TryLStat(string name)
    {
        Libc.StatxBuffer buffer;
        if (Libc.statx(Fd, name, Libc.AT_SYMLINK_NOFOLLOW, 0x7ff, &buffer) == 0) return Syscalls.ToFileStatus(buffer);
        int errno = Marshal.GetLastPInvokeError();
        return errno is Errnos.ENOENT or Errnos.ENOTDIR ? null : throw new NativeException("stat", PathOf(name), errno);
    }

    /// <summary>The regular file <paramref name="name"/> opened for reading; null when there is none (a symlink or a device is never opened).</summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle? TryOpenRegularFile(string name)
    {
        if (TryLStat(name) is not { IsRegular: true }) return null;
        int fd = Libc.openat(Fd, name, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw Fail("open", name);
        return new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>A new regular file (O_CREAT|O_EXCL|O_NOFOLLOW); null when the name exists.</summary>
    public NativeFile? TryCreateFile(string name, uint mode) => NativeFile.TryCreateNewAt(Fd, name, PathOf(name), mode);

    /// <summary>mkdirat(2); false when the name exists (whatever it is).</summary>
    public bool TryMakeDirectory(string name, uint mode) => Libc.mkdirat(Fd, name, mode) == 0 || ExistsOrFail("mkdir", name);

    /// <summary>mknodat(2) of a fifo or device (the umask applies: chmod after); false when the name exists.</summary>
    public bool TryMakeNode(string name, uint mode, uint major, uint minor) =>
        Libc.mknodat(Fd, name, mode, Syscalls.MakeDevice(major, minor)) == 0 || ExistsOrFail("mknod", name);

    /// <summary>symlinkat(2); the target is stored as text, never resolved. False when the name exists.</summary>
    public bool TrySymlink(string target, string name) => Libc.symlinkat(target, Fd, name) == 0 || ExistsOrFail("symlink", name);

    /// <summary>
    /// linkat(2) of <paramref name="targetName"/> in <paramref name="targetDirectory"/> (itself, not what it points to
    /// when it is a symlink) as <paramref name="name"/> here; false when the name exists.
    /// </summary>
    public bool TryHardLink(InRootDirectory targetDirectory, string targetName, string name) =>
        Libc.linkat(targetDirectory.Fd, targetName, Fd, name, 0) == 0 || ExistsOrFail("link", name);

    /// <summary>lchown(2) of the entry.</summary>
    public void ChangeOwner(string name, int uid, int gid)
    {
        if (Libc.fchownat(Fd, name, uid, gid, Libc.AT_SYMLINK_NOFOLLOW) != 0) throw Fail("lchown", name);
    }

    /// <summary>chmod(2) of an entry the caller knows is no symlink (the kernel has no lchmod).</summary>
    public void ChangeMode(string name, uint mode)
    {
        if (Libc.fchmodat(Fd, name, mode, 0) != 0) throw Fail("chmod", name);
    }

    /// <summary>utimensat(2) with AT_SYMLINK_NOFOLLOW, nanoseconds kept; atime = mtime.</summary>
    public void SetTimes(string name, long seconds, long nanoseconds)
    {
        Libc.Timespec* times = stackalloc Libc.Timespec[2];
        times[0] = new Libc.Timespec { Seconds = seconds, Nanoseconds = nanoseconds };
        times[1] = times[0];
        if (Libc.utimensat(Fd, name, times, Libc.AT_SYMLINK_NOFOLLOW) != 0) throw Fail("utimensat", name);
    }

    /// <summary>lsetxattr(2) of the entry, reached through this descriptor's /proc/self/fd link (no path resolved again).</summary>
    public void SetXattr(string name, string attribute, ReadOnlySpan<byte> value)
    {
        string path = "/proc/self/fd/" + Fd + "/" + name;
        fixed (byte* p = value)
            if (Libc.lsetxattr(path, attribute, p, (nuint)value.Length, 0) != 0) throw Fail("setxattr " + attribute, name);
    }

    /// <summary>The names in the directory <paramref name="name"/> of this one (no . or ..).</summary>
    public List<string> ListNames(string name)
    {
        using NativeDirectory child = NativeDirectory.OpenAt(Fd, name, PathOf(name));
        return child.ReadEntries().Select(e => e.Name).ToList();
    }

    /// <summary>rm -rf of the entry: a directory with everything below it (walked by descriptor), or anything else.</summary>
    public void Remove(string name)
    {
        if (Libc.unlinkat(Fd, name, 0) == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        if (errno != Errnos.EISDIR) throw new NativeException("unlink", PathOf(name), errno);
        using (NativeDirectory child = NativeDirectory.OpenAt(Fd, name, PathOf(name))) DirectoryTree.RemoveContents(child, PathOf(name));
        if (Libc.unlinkat(Fd, name, Libc.AT_REMOVEDIR) != 0) throw Fail("rmdir", name);
    }

    private bool ExistsOrFail(string call, string name)
    {
        int errno = Marshal.GetLastPInvokeError();
        return errno == Errnos.EEXIST ? false : throw new NativeException(call, PathOf(name), errno);
    }

    private NativeException Fail(string call, string name) => new(call, PathOf(name), Marshal.GetLastPInvokeError());

    protected override bool ReleaseHandle() => Libc.close(Fd) == 0;
}
