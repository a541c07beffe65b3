using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// A directory tree written into as a process chrooted there would (Docker unpacks a layer inside a chroot of its
/// directory): each directory is reached with openat2(2) RESOLVE_IN_ROOT, so a symlink on the way, absolute or full of
/// "..", resolves inside the root and can never lead out of it. Entries are then made with *at calls on one name in
/// that directory (<see cref="InRootDirectory"/>). Directories stay open in a small cache, one openat2 per directory
/// and not per entry or per path component; a caller that removes a directory or a symlink calls <see cref="Forget"/>,
/// as that may change where a cached path leads.
/// </summary>
public sealed unsafe class InRootTree : IDisposable
{
    private const int MaxCached = 64; // tar entries come grouped by directory; bounded, as several layers unpack at once
    private readonly string _root;
    private readonly string _realRoot;
    private readonly Dictionary<string, InRootDirectory> _cache = new(StringComparer.Ordinal);
    private readonly List<InRootDirectory> _retired = [];

    private InRootTree(string root, InRootDirectory rootDirectory, string realRoot)
    {
        _root = root;
        Root = rootDirectory;
        _realRoot = realRoot;
    }

    /// <summary>The root directory itself.</summary>
    public InRootDirectory Root { get; }

    /// <summary>Opens <paramref name="root"/>, an existing directory (a final symlink is refused).</summary>
    public static InRootTree Open(string root)
    {
        int fd = Libc.open(root, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new NativeException("open", root, Marshal.GetLastPInvokeError());
        var directory = new InRootDirectory(fd, root, "");
        string realRoot = Syscalls.TryReadLink("/proc/self/fd/" + fd) ?? throw new NativeException("readlink", root, Errnos.ENOENT);
        return new InRootTree(root, directory, realRoot);
    }

    /// <summary>
    /// The directory at the clean relative path <paramref name="relative"/> ("" is the root), its symlinks resolved inside
    /// the root; null when there is none: missing, not a directory, a symlink leading nowhere or in a loop.
    /// </summary>
    public InRootDirectory? TryOpenDirectory(string relative)
    {
        if (relative.Length == 0) return Root;
        if (_cache.TryGetValue(relative, out InRootDirectory? cached)) return cached;
        InRootDirectory? directory = TryResolve(relative);
        if (directory is not null) Cache(relative, directory);
        return directory;
    }

    /// <summary>
    /// mkdir -p inside the root (as Go's os.MkdirAll in Docker's chroot): the missing directories of
    /// <paramref name="relative"/> are made with <paramref name="mode"/> (exactly: no umask). Null when something on the
    /// way exists and is no directory, or is a symlink that leads nowhere; <paramref name="blocked"/> then names it.
    /// </summary>
    public InRootDirectory? MakeDirectories(string relative, uint mode, out string blocked)
    {
        blocked = "";
        if (TryOpenDirectory(relative) is { } existing) return existing;
        int slash = relative.LastIndexOf('/');
        string parentPath = slash < 0 ? "" : relative[..slash], name = relative[(slash + 1)..];
        InRootDirectory? parent = MakeDirectories(parentPath, mode, out blocked);
        if (parent is null) return null;
        if (!parent.TryMakeDirectory(name, mode) || parent.TryLStat(name) is not { IsDirectory: true })
        {
            blocked = relative; // a file, a dangling symlink, or a symlink to a file
            return null;
        }
        parent.ChangeMode(name, mode); // mkdir(2) applies the umask
        int fd = Libc.openat(parent.Fd, name, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new NativeException("open", parent.RealPath + "/" + name, Marshal.GetLastPInvokeError());
        var made = new InRootDirectory(fd, _root, parent.RealRelativeOf(name));
        Cache(relative, made);
        return made;
    }

    /// <summary>Drops the cached directories (a directory or symlink was removed or replaced); those in use stay open until <see cref="ReleaseForgotten"/>.</summary>
    public void Forget()
    {
        _retired.AddRange(_cache.Values);
        _cache.Clear();
    }

    /// <summary>Closes the directories <see cref="Forget"/> dropped: call it where none of them is in use any more.</summary>
    public void ReleaseForgotten()
    {
        foreach (InRootDirectory directory in _retired) directory.Dispose();
        _retired.Clear();
    }

    private void Cache(string relative, InRootDirectory directory)
    {
        if (_cache.Count >= MaxCached) Forget();
        _cache[relative] = directory;
    }

    /// <summary>
    /// Most paths have no symlink on the way, so they are their own real path (RESOLVE_NO_SYMLINKS); the others are
    /// resolved inside the root, and where they lead is read back from the descriptor.
    /// </summary>
    private InRootDirectory? TryResolve(string relative)
    {
        int fd = OpenAt2(relative, Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_SYMLINKS | Libc.RESOLVE_NO_MAGICLINKS | Libc.RESOLVE_NO_XDEV, out int errno);
        if (fd >= 0) return new InRootDirectory(fd, _root, relative);
        if (errno != Errnos.ELOOP) return errno is Errnos.ENOENT or Errnos.ENOTDIR ? null : throw new NativeException("openat2", _root + "/" + relative, errno);
        fd = OpenAt2(relative, Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS | Libc.RESOLVE_NO_XDEV, out errno);
        if (fd < 0) return errno is Errnos.ENOENT or Errnos.ENOTDIR or Errnos.ELOOP ? null : throw new NativeException("openat2", _root + "/" + relative, errno);
        string real = Syscalls.TryReadLink("/proc/self/fd/" + fd) ?? "";
        if (real != _realRoot && !real.StartsWith(_realRoot + "/", StringComparison.Ordinal))
        {
            Libc.close(fd);
            throw new NativeException("openat2", _root + "/" + relative, Errnos.EXDEV); // RESOLVE_IN_ROOT never leaves it
        }
        return new InRootDirectory(fd, _root, real == _realRoot ? "" : real[(_realRoot.Length + 1)..]);
    }

    private int OpenAt2(string relative, ulong resolve, out int errno)
    {
        var how = new Libc.OpenHow { Flags = (ulong)(Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC), Resolve = resolve };
        for (int attempt = 0; ; attempt++)
        {
            int fd = (int)Libc.syscall_openat2(Libc.SYS_openat2, Root.Fd, relative, &how, (nuint)sizeof(Libc.OpenHow));
            errno = fd >= 0 ? 0 : Marshal.GetLastPInvokeError();
            // EAGAIN: a rename elsewhere raced a scoped ".." step (openat2(2) asks the caller to retry).
            if (errno != Errnos.EAGAIN || attempt >= 100) return fd;
        }
    }

    public void Dispose()
    {
        Forget();
        ReleaseForgotten();
        Root.Dispose();
    }
}
