using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// A directory that paths are resolved in as if it were "/", as a process chrooted there would (openat2(2) with
/// RESOLVE_IN_ROOT): an absolute symlink or a ".." stops at this root, so a container's <c>/etc/passwd -&gt;
/// /etc/shadow</c> reaches the container's shadow, never the host's, however the container renames things meanwhile.
/// Magic links (/proc/PID/fd/N) and other mounts are never crossed. The host's reads of a container's files go through
/// here, or walk an upper or merged directory with <see cref="NativeDirectory"/> and <see cref="PathHandle"/>
/// (one name at a time, no symlink followed). libpathrs and runc 1.2's securejoin do the same.
/// </summary>
public sealed unsafe class InRootResolver : IDisposable
{
    private readonly PathHandle _root;
    private readonly string _rootPath;

    private InRootResolver(PathHandle root, string rootPath)
    {
        _root = root;
        _rootPath = rootPath;
    }

    /// <summary>The root directory (minirun's own path: a store directory, or a layer's), or null when it does not exist.</summary>
    public static InRootResolver? TryOpen(string root)
    {
        int fd = Libc.open(root, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd >= 0) return new InRootResolver(new PathHandle(fd, root), root);
        int errno = Marshal.GetLastPInvokeError();
        return errno is Errnos.ENOENT or Errnos.ENOTDIR ? null : throw new NativeException("open", root, errno);
    }

    public static InRootResolver Open(string root) => TryOpen(root) ?? throw new NativeException("open", root, Errnos.ENOENT);

    /// <summary>
    /// An O_PATH handle on what <paramref name="path"/> names inside the root, its symlinks resolved inside the root;
    /// null when nothing is there, or when reaching it would cross into another mount.
    /// </summary>
    public PathHandle? TryResolve(string path) =>
        Resolve(path, Libc.O_PATH, Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS | Libc.RESOLVE_NO_XDEV);

    /// <summary>
    /// An O_PATH handle on the entry at <paramref name="path"/> itself, reached without following any symlink on the way
    /// (overlayfs does not merge below a lower symlink either); null when there is no such entry. "/" and "" are the root.
    /// </summary>
    public PathHandle? TryOpenEntry(string path) =>
        Resolve(path.TrimStart('/') is { Length: > 0 } relative ? relative : ".", Libc.O_PATH | Libc.O_NOFOLLOW,
            Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_SYMLINKS | Libc.RESOLVE_NO_MAGICLINKS | Libc.RESOLVE_NO_XDEV);

    /// <summary>
    /// The bytes of the regular file at <paramref name="path"/> (symlinks resolved inside the root); null when there is
    /// none, or when it is anything but a regular file (a device node is never opened) or larger than <paramref name="maxBytes"/>.
    /// </summary>
    public byte[]? TryReadFile(string path, int maxBytes)
    {
        using PathHandle? file = TryResolve(path);
        if (file is null) return null;
        FileStatus status = file.Status();
        if (!status.IsRegular || status.Size > maxBytes) return null;
        using var handle = file.OpenForReading(status);
        using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        var content = new MemoryStream((int)status.Size);
        byte[] buffer = new byte[8192];
        for (int n; content.Length <= maxBytes && (n = stream.Read(buffer)) > 0;) content.Write(buffer, 0, n);
        return content.Length <= maxBytes ? content.ToArray() : null;
    }

    private PathHandle? Resolve(string path, int flags, ulong resolve)
    {
        var how = new Libc.OpenHow { Flags = (ulong)(flags | Libc.O_CLOEXEC), Resolve = resolve };
        for (int attempt = 0; ; attempt++)
        {
            int fd = (int)Libc.syscall_openat2(Libc.SYS_openat2, _root.Fd, path, &how, (nuint)sizeof(Libc.OpenHow));
            if (fd >= 0) return new PathHandle(fd, _rootPath + "/" + path.TrimStart('/'));
            int errno = Marshal.GetLastPInvokeError();
            // EAGAIN: a rename elsewhere raced a scoped ".." step (openat2(2) asks the caller to retry).
            if (errno == Errnos.EAGAIN && attempt < 100) continue;
            if (errno is Errnos.ENOENT or Errnos.ENOTDIR or Errnos.ELOOP or Errnos.EXDEV) return null;
            throw new NativeException("openat2", _rootPath + "/" + path.TrimStart('/'), errno);
        }
    }

    public void Dispose() => _root.Dispose();
}
