using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// A mount onto a target inside a container's root, as runc makes it since 1.0.0-rc95 (CVE-2021-30465): the target is
/// resolved inside the root as a process chrooted there would resolve it (openat2(2) RESOLVE_IN_ROOT, no magic link)
/// to an O_PATH descriptor, what is missing on the way is made through descriptors of its parent, and the mount goes
/// onto /proc/self/fd/N, the inode so pinned. A container that shares a volume and swaps a symlink into the path
/// meanwhile sends the mount elsewhere inside the root at worst, never out of it.
/// </summary>
internal static unsafe class InRootMount
{
    private const long ProcSuperMagic = 0x9fa0, SysfsMagic = 0x62656572;

    /// <summary>
    /// <paramref name="mount"/> onto its target (a path below <paramref name="root"/>), made first when missing (a
    /// remount's never): an empty file when a bind's source is no directory, else a directory. Then each of
    /// <paramref name="changes"/> (remount, propagation) on the mount just made.
    /// </summary>
    public static void Mount(string root, MountRecord mount, IReadOnlyList<MountRecord> changes)
    {
        string target = mount.Target;
        if (!target.StartsWith(root, StringComparison.Ordinal) || (target.Length > root.Length && target[root.Length] != '/'))
            throw new NativeException("mount", target, Errnos.EINVAL); // the caller mounts what is below the root only
        string relative = target[root.Length..].Trim('/');
        int rootFd = Libc.open(root, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (rootFd < 0) throw new NativeException("open", root, Marshal.GetLastPInvokeError());
        using var rootHandle = new PathHandle(rootFd, root);
        using PathHandle handle = (mount.ChangesAMount ? Resolve(rootFd, relative, target) : OpenOrMake(rootFd, relative, target, LandsOnFile(mount)))
            ?? throw new NativeException("mount", target, Errnos.ENOENT);
        // A link of the image's into the container's /proc or /sys would put a new mount over the kernel's own files
        // (the class of CVE-2025-52881); runc refuses those destinations too. A change of a mount made here (a bind of
        // the host's /sys made read-only) is no new mount.
        Libc.StatfsBuffer fs;
        if (!mount.ChangesAMount && Libc.statfs(ProcLink(handle), &fs) == 0 && fs.Type is ProcSuperMagic or SysfsMagic)
            throw new MiniRunException($"mount {target}: it leads into the container's /proc or /sys (through a symbolic link): minirun mounts nothing there");
        Apply(mount, handle);
        if (changes.Count == 0) return;
        using PathHandle made = MountedOn(rootFd, root, handle, target);
        foreach (MountRecord change in changes) Apply(change, made);
    }

    private static void Apply(MountRecord mount, PathHandle target)
    {
        if (Libc.mount(mount.Source, ProcLink(target), mount.Type, (ulong)mount.Flags, mount.Data) != 0)
            throw new NativeException("mount", mount.Target, Marshal.GetLastPInvokeError());
    }

    private static string ProcLink(PathHandle handle) => "/proc/self/fd/" + handle.Fd;

    /// <summary>
    /// The root of the mount just made on <paramref name="mountPoint"/>, whose descriptor still names the directory
    /// below it: found again by the path the kernel gives that directory now, no symlink followed, and checked to be
    /// the root of another mount than the directory's (runc's reopenAfterMount). A container that renamed a directory
    /// on the way meanwhile makes this fail, never a remount of something else.
    /// </summary>
    private static PathHandle MountedOn(int rootFd, string root, PathHandle mountPoint, string target)
    {
        string? path = Syscalls.TryReadLink(ProcLink(mountPoint));
        if (path is null || !(path == root || path.StartsWith(root + "/", StringComparison.Ordinal)))
            throw new MiniRunException($"mount {target}: the mount point moved out of the root while it was mounted (a container renamed a directory on the way)");
        var how = new Libc.OpenHow
        {
            Flags = (ulong)(Libc.O_PATH | Libc.O_CLOEXEC),
            Resolve = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS | Libc.RESOLVE_NO_SYMLINKS,
        };
        int fd = (int)Libc.syscall_openat2(Libc.SYS_openat2, rootFd, path == root ? "." : path[(root.Length + 1)..], &how, (nuint)sizeof(Libc.OpenHow));
        var made = fd >= 0 ? new PathHandle(fd, target) : null;
        if (made is not null && IsRootOfAnotherMount(made, mountPoint)) return made;
        made?.Dispose();
        throw new MiniRunException($"mount {target}: the mount point moved while it was mounted (a container renamed a directory on the way)");
    }

    private static bool IsRootOfAnotherMount(PathHandle candidate, PathHandle mountPoint)
    {
        const uint StatxMountId = 0x1000;
        const ulong StatxAttrMountRoot = 0x2000;
        Libc.StatxBuffer top, below;
        if (Libc.statx(candidate.Fd, "", Libc.AT_EMPTY_PATH, StatxMountId, &top) != 0 ||
            Libc.statx(mountPoint.Fd, "", Libc.AT_EMPTY_PATH, StatxMountId, &below) != 0) return false;
        return (top.Attributes & StatxAttrMountRoot) != 0 && top.MountId != below.MountId;
    }

    /// <summary>A bind of anything but a directory needs a file to land on (asked only when the target is missing).</summary>
    private static Func<bool> LandsOnFile(MountRecord mount) =>
        () => mount.Flags.HasFlag(MountFlags.Bind) && Syscalls.TryLStat(mount.Source) is { IsDirectory: false };

    /// <summary>
    /// The target, made when missing, one name at a time as securejoin's MkdirAll does: the deepest part of the path
    /// that is there is resolved inside the root, the next name made through a descriptor of it, and all of it resolved
    /// again (a name swapped meanwhile for a link is followed inside the root, perhaps to where nothing was made: then
    /// round again). A name that is a link to nothing yet is replaced by where it points, inside the root. Null when
    /// it is still missing after a few rounds.
    /// </summary>
    private static PathHandle? OpenOrMake(int rootFd, string relative, string target, Func<bool> file)
    {
        for (int round = 0, links = 0; round < 64; round++)
        {
            if (Resolve(rootFd, relative, target) is { } found) return found;
            string[] names = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
            PathHandle? parent = Resolve(rootFd, ".", target);
            int missing = 0;
            for (; parent is not null && missing < names.Length; missing++)
            {
                if (Resolve(rootFd, string.Join('/', names, 0, missing + 1), target) is not { } next) break;
                parent.Dispose();
                parent = next;
            }
            if (parent is null || missing == names.Length) { parent?.Dispose(); continue; } // swapped meanwhile: round again
            using (parent)
            {
                string name = names[missing];
                bool asFile = missing == names.Length - 1 && file();
                int made = asFile
                    ? Libc.openat(parent.Fd, name, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0x1a4)
                    : Libc.mkdirat(parent.Fd, name, 0x1ed);
                if (made >= 0)
                {
                    if (asFile) Libc.close(made);
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Errnos.EEXIST) throw new NativeException(asFile ? "open" : "mkdir", target, errno);
                if (ReadLink(parent.Fd, name) is not { } link) continue; // made meanwhile, or swapped: round again
                if (++links > 40) throw new NativeException("openat2", target, Errnos.ELOOP); // MAXSYMLINKS
                // The link's target in place of its name: absolute from the root, relative from the link's directory.
                string before = link.StartsWith('/') ? "" : string.Join('/', names, 0, missing);
                relative = string.Join('/', new[] { before, link.Trim('/') }.Concat(names.Skip(missing + 1)).Where(n => n.Length > 0));
            }
        }
        return null;
    }

    private static string? ReadLink(int directoryFd, string name)
    {
        byte* buffer = stackalloc byte[4096];
        nint length = Libc.readlinkat(directoryFd, name, buffer, 4096);
        return length < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, (int)length);
    }

    /// <summary>openat2(2) below the root as if it were "/", magic links refused; null when nothing is there.</summary>
    private static PathHandle? Resolve(int rootFd, string relative, string target)
    {
        var how = new Libc.OpenHow { Flags = (ulong)(Libc.O_PATH | Libc.O_CLOEXEC), Resolve = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS };
        for (int attempt = 0; ; attempt++)
        {
            int fd = (int)Libc.syscall_openat2(Libc.SYS_openat2, rootFd, relative.Length == 0 ? "." : relative, &how, (nuint)sizeof(Libc.OpenHow));
            if (fd >= 0) return new PathHandle(fd, target);
            int errno = Marshal.GetLastPInvokeError();
            // EAGAIN: a rename elsewhere raced a ".." step (openat2(2) asks the caller to retry).
            if (errno == Errnos.EAGAIN && attempt < 100) continue;
            if (errno == Errnos.ENOENT) return null;
            throw new NativeException("openat2", target, errno);
        }
    }
}
