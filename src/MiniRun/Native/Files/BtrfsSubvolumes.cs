using System.Runtime.InteropServices;
using System.Text;

namespace MiniRun.Native;

/// <summary>
/// btrfs subvolumes made, snapshotted and deleted with the ioctls `btrfs subvolume` uses (linux/btrfs.h), as
/// containerd's btrfs snapshotter and moby's btrfs graph driver do, so that no btrfs-progs is needed at run time.
/// Each call takes the parent directory's descriptor and the last name, as the kernel wants it.
/// What an ordinary user may do (Linux 6.x, checked by BtrfsSubvolumeTests): create a subvolume in a directory they
/// can write, snapshot a subvolume they own (EPERM for another's); delete by ioctl only as root (CAP_SYS_ADMIN in the
/// first user namespace) or on a mount with user_subvol_rm_allowed, else EPERM, so <see cref="TryDelete"/> then
/// empties the subvolume and rmdir()s it (allowed on an empty subvolume since Linux 4.18).
/// </summary>
public static unsafe class BtrfsSubvolumes
{
    /// <summary>Whether <paramref name="path"/> lies on a btrfs file system (statfs(2) f_type BTRFS_SUPER_MAGIC).</summary>
    public static bool IsBtrfs(string path) => KernelFiles.FileSystemType(path) == Libc.BTRFS_SUPER_MAGIC;

    /// <summary>
    /// Whether <paramref name="path"/> is the top directory of a subvolume: on btrfs each subvolume's top directory is
    /// inode 256 (BTRFS_FIRST_FREE_OBJECTID), and no other directory is. A symlink is not followed.
    /// </summary>
    public static bool IsSubvolume(string path) =>
        Syscalls.TryLStat(path) is { IsDirectory: true, Inode: Libc.BTRFS_FIRST_FREE_OBJECTID } && IsBtrfs(path);

    /// <summary>A new, empty subvolume at <paramref name="path"/> (BTRFS_IOC_SUBVOL_CREATE); EEXIST when the name is taken.</summary>
    public static void Create(string path)
    {
        (string parent, string name) = Split(path);
        var args = new Libc.BtrfsVolumeArgs();
        PutName(args.Name, Libc.BtrfsVolumeArgs.NameSize, name, path);
        int parentFd = OpenDirectory(parent, follow: true);
        try
        {
            if (Libc.ioctl(parentFd, Libc.BTRFS_IOC_SUBVOL_CREATE, &args) != 0)
                throw Fail("BTRFS_IOC_SUBVOL_CREATE", path);
        }
        finally
        {
            Libc.close(parentFd);
        }
    }

    /// <summary>
    /// <paramref name="destination"/> becomes a snapshot of the subvolume <paramref name="source"/> (BTRFS_IOC_SNAP_CREATE_V2):
    /// the same files, sharing every extent until either side writes; read-only when <paramref name="readOnly"/>
    /// (BTRFS_SUBVOL_RDONLY: writes fail with EROFS, even root's). Only the source's own tree is taken: a subvolume
    /// nested in it shows up as an empty directory.
    /// </summary>
    public static void Snapshot(string source, string destination, bool readOnly)
    {
        (string parent, string name) = Split(destination);
        var args = new Libc.BtrfsVolumeArgsV2 { Flags = readOnly ? Libc.BTRFS_SUBVOL_RDONLY : 0 };
        PutName(args.Name, Libc.BtrfsVolumeArgsV2.NameSize, name, destination);
        int sourceFd = OpenDirectory(source, follow: false);
        try
        {
            int parentFd = OpenDirectory(parent, follow: true);
            try
            {
                args.Fd = sourceFd;
                if (Libc.ioctl(parentFd, Libc.BTRFS_IOC_SNAP_CREATE_V2, &args) != 0)
                    throw Fail($"BTRFS_IOC_SNAP_CREATE_V2 {source} to", destination);
            }
            finally
            {
                Libc.close(parentFd);
            }
        }
        finally
        {
            Libc.close(sourceFd);
        }
    }

    /// <summary>Whether the subvolume at <paramref name="path"/> is read-only (BTRFS_IOC_SUBVOL_GETFLAGS).</summary>
    public static bool IsReadOnly(string path) => (GetFlags(path) & Libc.BTRFS_SUBVOL_RDONLY) != 0;

    /// <summary>
    /// Marks the subvolume at <paramref name="path"/> read-only or writable (BTRFS_IOC_SUBVOL_SETFLAGS, the subvolume's
    /// other flags kept): its owner may, as `btrfs property set P ro false` does.
    /// </summary>
    public static void SetReadOnly(string path, bool readOnly)
    {
        int fd = OpenDirectory(path, follow: false);
        try
        {
            ulong flags;
            if (Libc.ioctl(fd, Libc.BTRFS_IOC_SUBVOL_GETFLAGS, &flags) != 0) throw Fail("BTRFS_IOC_SUBVOL_GETFLAGS", path);
            ulong wanted = readOnly ? flags | Libc.BTRFS_SUBVOL_RDONLY : flags & ~Libc.BTRFS_SUBVOL_RDONLY;
            if (wanted != flags && Libc.ioctl(fd, Libc.BTRFS_IOC_SUBVOL_SETFLAGS, &wanted) != 0) throw Fail("BTRFS_IOC_SUBVOL_SETFLAGS", path);
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>
    /// Deletes the subvolume at <paramref name="path"/> and all it holds (BTRFS_IOC_SNAP_DESTROY on its parent; the
    /// space comes back in the background); false when nothing is there. A read-only one is made writable first when
    /// the kernel asks (EROFS: an ordinary user on a user_subvol_rm_allowed mount). Refused the ioctl (EPERM: no
    /// CAP_SYS_ADMIN, no user_subvol_rm_allowed), it is removed as `rm -rf` would, which an ordinary user may do to
    /// a subvolume of their own: read-only cleared, the files removed, the empty subvolume rmdir()ed.
    /// </summary>
    public static bool TryDelete(string path)
    {
        (string parent, string name) = Split(path);
        var args = new Libc.BtrfsVolumeArgs();
        PutName(args.Name, Libc.BtrfsVolumeArgs.NameSize, name, path);
        int errno = Destroy(parent, &args);
        if (errno == Errnos.EROFS)
        {
            SetReadOnly(path, false);
            errno = Destroy(parent, &args);
        }
        if (errno == Errnos.EPERM && IsSubvolume(path))
        {
            SetReadOnly(path, false);
            DirectoryTree.Remove(path);
            return true;
        }
        return errno switch
        {
            0 => true,
            Errnos.ENOENT => false,
            _ => throw new NativeException("BTRFS_IOC_SNAP_DESTROY", path, errno),
        };
    }

    /// <returns>0, or errno (ENOENT also when the parent is missing).</returns>
    private static int Destroy(string parent, Libc.BtrfsVolumeArgs* args)
    {
        int parentFd = Libc.open(parent, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (parentFd < 0) return Marshal.GetLastPInvokeError();
        try
        {
            return Libc.ioctl(parentFd, Libc.BTRFS_IOC_SNAP_DESTROY, args) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        finally
        {
            Libc.close(parentFd);
        }
    }

    private static ulong GetFlags(string path)
    {
        int fd = OpenDirectory(path, follow: false);
        try
        {
            ulong flags;
            if (Libc.ioctl(fd, Libc.BTRFS_IOC_SUBVOL_GETFLAGS, &flags) != 0) throw Fail("BTRFS_IOC_SUBVOL_GETFLAGS", path);
            return flags;
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>The parent directory and the last name: the ioctls take a descriptor of the one and the other as text.</summary>
    private static (string Parent, string Name) Split(string path)
    {
        string full = Path.GetFullPath(path).TrimEnd('/');
        string name = Path.GetFileName(full);
        if (name.Length == 0) throw new NativeException("btrfs subvolume", path, Errnos.EINVAL);
        return (Path.GetDirectoryName(full) ?? "/", name);
    }

    /// <summary>Writes <paramref name="name"/> NUL-terminated into a struct's name buffer; ENAMETOOLONG past a file name's 255 bytes.</summary>
    private static void PutName(byte* buffer, int size, string name, string path)
    {
        int length = Encoding.UTF8.GetByteCount(name);
        if (length > 255 || length >= size) throw new NativeException("btrfs subvolume", path, Errnos.ENAMETOOLONG);
        Encoding.UTF8.GetBytes(name, new Span<byte>(buffer, size));
        buffer[length] = 0;
    }

    private static int OpenDirectory(string path, bool follow)
    {
        int flags = Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC | (follow ? 0 : Libc.O_NOFOLLOW);
        int fd = Libc.open(path, flags, 0);
        return fd >= 0 ? fd : throw Fail("open", path);
    }

    private static NativeException Fail(string call, string path) => new(call, path, Marshal.GetLastPInvokeError());
}
