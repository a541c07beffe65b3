using System.Runtime.InteropServices;
using System.Text;

namespace MiniRun.Native;

/// <summary>
/// Checked wrappers over <see cref="Libc"/>: each throws a <see cref="NativeException"/> carrying the call, the path and errno.
/// Nothing here follows a symlink unless its name says so.
/// </summary>
public static unsafe class Syscalls
{
    public const int S_IFMT = 0xF000, S_IFSOCK = 0xC000, S_IFLNK = 0xA000, S_IFREG = 0x8000, S_IFBLK = 0x6000,
        S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFIFO = 0x1000, S_ISGID = 0x400;

    private static NativeException Fail(string call, string? path) => new(call, path, Marshal.GetLastPInvokeError());

    public static void Mount(string? source, string target, string? fsType, MountFlags flags, string? data)
    {
        if (Libc.mount(source, target, fsType, (ulong)flags, data) != 0) throw Fail("mount", target);
    }

    public static void Unmount(string target, UnmountFlags flags = UnmountFlags.None)
    {
        if (Libc.umount2(target, (int)flags) != 0) throw Fail("umount", target);
    }

    /// <summary>Unmounts if mounted; returns false when <paramref name="target"/> was not a mount point.</summary>
    public static bool TryUnmount(string target, UnmountFlags flags = UnmountFlags.None)
    {
        if (Libc.umount2(target, (int)flags) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno is Errnos.EINVAL or Errnos.ENOENT) return false;
        throw new NativeException("umount", target, errno);
    }

    public static void Unshare(NamespaceFlags flags)
    {
        if (Libc.unshare((int)flags) != 0) throw Fail("unshare", null);
    }

    public static void SetNamespace(int fd, NamespaceFlags type, string path)
    {
        if (Libc.setns(fd, (int)type) != 0) throw Fail("setns", path);
    }

    public static void PivotRoot(string newRoot, string putOld)
    {
        // pivot_root has no glibc wrapper (pivot_root(2)).
        long number = X64 ? 155 : 41;
        if (Libc.syscall(number, newRoot, putOld) != 0) throw Fail("pivot_root", newRoot);
    }

    public static void ChangeRoot(string path)
    {
        if (Libc.chroot(path) != 0) throw Fail("chroot", path);
    }

    public static void ChangeDirectory(string path)
    {
        if (Libc.chdir(path) != 0) throw Fail("chdir", path);
    }

    public static void ChangeDirectory(int fd, string pathForMessage)
    {
        if (Libc.fchdir(fd) != 0) throw Fail("fchdir", pathForMessage);
    }

    public static void SetHostname(string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
            if (Libc.sethostname(p, (nuint)bytes.Length) != 0) throw Fail("sethostname", name);
    }

    public static ulong MakeDevice(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    public static void MakeNode(string path, uint mode, uint major = 0, uint minor = 0)
    {
        if (Libc.mknod(path, mode, MakeDevice(major, minor)) != 0) throw Fail("mknod", path);
    }

    /// <summary>mkdir(2) that leaves an existing entry alone (mkdir -p of one level); false when it was there.</summary>
    public static bool TryMakeDirectory(string path, uint mode)
    {
        if (Libc.mkdir(path, mode) == 0) return true;
        if (Marshal.GetLastPInvokeError() == Errnos.EEXIST) return false;
        throw Fail("mkdir", path);
    }

    /// <summary>
    /// Creates <paramref name="path"/> (it must not exist) holding <paramref name="content"/>: open, write, close,
    /// where File.WriteAllBytes sets up a stream. The umask applies to <paramref name="mode"/>, as to any open(2),
    /// unless <paramref name="exactMode"/>. For a container's small files on its way to a start.
    /// </summary>
    public static void WriteNewFile(string path, ReadOnlySpan<byte> content, uint mode = 0x1b6, bool exactMode = false)
    {
        int fd = Libc.open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, mode);
        if (fd < 0) throw Fail("open", path);
        try
        {
            WriteAll(fd, content, path);
            if (exactMode && Libc.fchmod(fd, mode) != 0) throw Fail("chmod", path);
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>
    /// Replaces the content of the existing regular file <paramref name="path"/> in place: open(2) with
    /// O_WRONLY|O_TRUNC|O_NOFOLLOW, then write(2). The inode stays, as a bind mount of the file needs (it pins the
    /// inode: a rename would leave the mount on the old one). A symlink is refused (ELOOP), a missing file too (ENOENT);
    /// O_NONBLOCK keeps a FIFO from blocking the open, and anything not a regular file is refused before the write.
    /// </summary>
    public static void RewriteFile(string path, ReadOnlySpan<byte> content)
    {
        int fd = Libc.open(path, Libc.O_WRONLY | Libc.O_TRUNC | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw Fail("open", path);
        try
        {
            Libc.StatxBuffer status;
            if (Libc.statx(fd, "", Libc.AT_EMPTY_PATH, 0x7ff, &status) != 0) throw Fail("stat", path);
            if ((status.Mode & S_IFMT) != S_IFREG) throw new NativeException("open", path, Errnos.EINVAL);
            WriteAll(fd, content, path);
        }
        finally
        {
            Libc.close(fd);
        }
    }

    public static void MakeDirectory(string path, uint mode)
    {
        if (Libc.mkdir(path, mode) != 0) throw Fail("mkdir", path);
    }

    public static void LChown(string path, int uid, int gid)
    {
        if (Libc.lchown(path, uid, gid) != 0) throw Fail("lchown", path);
    }

    /// <summary>chmod(2) follows symlinks: callers never pass one (symlink modes are meaningless on Linux).</summary>
    public static void Chmod(string path, uint mode)
    {
        if (Libc.chmod(path, mode) != 0) throw Fail("chmod", path);
    }

    public static void Symlink(string target, string linkPath)
    {
        if (Libc.symlink(target, linkPath) != 0) throw Fail("symlink", linkPath);
    }

    /// <summary>readlink(2): the link's target, or null when <paramref name="path"/> is missing or not a symlink.</summary>
    public static unsafe string? TryReadLink(string path)
    {
        byte* target = stackalloc byte[4096];
        nint length = Libc.readlinkat(Libc.AT_FDCWD, path, target, 4096);
        if (length >= 0) return System.Text.Encoding.UTF8.GetString(target, (int)length);
        int errno = Marshal.GetLastPInvokeError();
        return errno is Errnos.ENOENT or Errnos.EINVAL ? null : throw new NativeException("readlink", path, errno);
    }

    public static void HardLink(string existing, string newPath)
    {
        if (Libc.link(existing, newPath) != 0) throw Fail("link", newPath);
    }

    public static void Unlink(string path)
    {
        if (Libc.unlink(path) != 0) throw Fail("unlink", path);
    }

    public static void RemoveDirectory(string path)
    {
        if (Libc.rmdir(path) != 0) throw Fail("rmdir", path);
    }

    /// <summary>rename(2): replaces <paramref name="to"/> atomically.</summary>
    public static void Rename(string from, string to)
    {
        if (Libc.renameat2(Libc.AT_FDCWD, from, Libc.AT_FDCWD, to, 0) != 0) throw Fail("rename", to);
    }

    /// <summary>rename(2) that fails with EEXIST instead of replacing: the atomic "publish" step of the store.</summary>
    public static bool TryRenameNoReplace(string from, string to)
    {
        if (Libc.renameat2(Libc.AT_FDCWD, from, Libc.AT_FDCWD, to, Libc.RENAME_NOREPLACE) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno is Errnos.EEXIST or Errnos.ENOTEMPTY) return false;
        throw new NativeException("rename", to, errno);
    }

    public static void SetTimes(string path, DateTimeOffset modified)
    {
        long ticks = modified.UtcTicks - DateTime.UnixEpoch.Ticks;
        var t = new Libc.Timespec { Seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem), Nanoseconds = rem * 100 };
        if (t.Nanoseconds < 0) { t.Seconds--; t.Nanoseconds += 1_000_000_000; }
        Libc.Timespec* times = stackalloc Libc.Timespec[2];
        times[0] = t;
        times[1] = t;
        if (Libc.utimensat(Libc.AT_FDCWD, path, times, Libc.AT_SYMLINK_NOFOLLOW) != 0) throw Fail("utimensat", path);
    }

    public static void SetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
            if (Libc.lsetxattr(path, name, p, (nuint)value.Length, 0) != 0) throw Fail("setxattr " + name, path);
    }

    /// <summary>The value of an extended attribute, or null when the file has none of that name.</summary>
    /// <param name="follow">getxattr(2) instead of lgetxattr: for a /proc/self/fd link to an O_PATH descriptor.</param>
    public static byte[]? GetXattr(string path, string name, bool follow = false)
    {
        nint size = follow ? Libc.getxattr(path, name, null, 0) : Libc.lgetxattr(path, name, null, 0);
        if (size < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is Errnos.ENODATA or Errnos.EOPNOTSUPP) return null;
            throw new NativeException("getxattr " + name, path, errno);
        }
        byte[] value = new byte[size];
        fixed (byte* p = value)
            size = follow ? Libc.getxattr(path, name, p, (nuint)value.Length) : Libc.lgetxattr(path, name, p, (nuint)value.Length);
        if (size < 0) throw Fail("getxattr " + name, path);
        return value.AsSpan(0, (int)size).ToArray();
    }

    public static IReadOnlyList<string> ListXattrs(string path, bool follow = false)
    {
        nint size = follow ? Libc.listxattr(path, null, 0) : Libc.llistxattr(path, null, 0);
        if (size < 0) throw Fail("listxattr", path);
        if (size == 0) return [];
        byte[] buffer = new byte[size];
        fixed (byte* p = buffer)
            size = follow ? Libc.listxattr(path, p, (nuint)buffer.Length) : Libc.llistxattr(path, p, (nuint)buffer.Length);
        if (size < 0) throw Fail("listxattr", path);
        return Encoding.UTF8.GetString(buffer, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>lstat(2) through statx(2); null when the path does not exist.</summary>
    public static FileStatus? TryLStat(string path)
    {
        Libc.StatxBuffer buffer;
        if (Libc.statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, 0x7ff, &buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is Errnos.ENOENT or Errnos.ENOTDIR) return null;
            throw new NativeException("stat", path, errno);
        }
        return ToFileStatus(buffer);
    }

    /// <summary>stat(2) through statx(2), following symlinks; null when there is nothing there to reach.</summary>
    public static FileStatus? TryStat(string path)
    {
        Libc.StatxBuffer buffer;
        if (Libc.statx(Libc.AT_FDCWD, path, 0, 0x7ff, &buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is Errnos.ENOENT or Errnos.ENOTDIR or Errnos.ELOOP or Errnos.EACCES or Errnos.ENAMETOOLONG) return null;
            throw new NativeException("stat", path, errno);
        }
        return ToFileStatus(buffer);
    }

    internal static FileStatus ToFileStatus(in Libc.StatxBuffer buffer) =>
        new(buffer.Mode, buffer.Uid, buffer.Gid, buffer.Nlink, (long)buffer.Size, buffer.Ino,
            MakeDevice(buffer.DevMajor, buffer.DevMinor), buffer.RdevMajor, buffer.RdevMinor,
            DateTimeOffset.FromUnixTimeSeconds(buffer.MtimeSeconds).AddTicks(buffer.MtimeNanoseconds / 100));

    public static FileStatus LStat(string path) => TryLStat(path) ?? throw new NativeException("stat", path, Errnos.ENOENT);

    private static bool X64 => RuntimeInformation.ProcessArchitecture == Architecture.X64;

    // SetGroups and SetIds make the system calls themselves, not glibc's wrappers: those make every thread of the
    // process take the new IDs, one signal and one wait per thread (nptl(7)). Like the capability sets (per thread
    // already), the IDs matter for the thread that execve()s; a stage's other threads are the runtime's, run no
    // container code and die at execve.
    public static void SetGroups(ReadOnlySpan<uint> groups)
    {
        fixed (uint* p = groups)
            if (Libc.syscall_setgroups(X64 ? 116 : 159, (nuint)groups.Length, p) != 0) throw Fail("setgroups", null);
    }

    public static void SetIds(uint uid, uint gid)
    {
        if (Libc.syscall_setresids(X64 ? 119 : 149, gid, gid, gid) != 0) throw Fail("setresgid", null);
        if (Libc.syscall_setresids(X64 ? 117 : 147, uid, uid, uid) != 0) throw Fail("setresuid", null);
    }

    public static void SetParentDeathSignal(Signal signal)
    {
        const int PR_SET_PDEATHSIG = 1;
        if (Libc.prctl(PR_SET_PDEATHSIG, (nuint)signal, 0, 0, 0) != 0) throw Fail("prctl PR_SET_PDEATHSIG", null);
    }

    /// <summary>
    /// Random bytes from the kernel's CSPRNG (getrandom(2)), as Go's crypto/rand reads them for Docker's IDs.
    /// .NET's RandomNumberGenerator would load and initialise OpenSSL first: about 2.7 ms of every `run`.
    /// </summary>
    public static void FillRandom(Span<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            for (int done = 0; done < buffer.Length;)
            {
                nint n = Libc.getrandom(start + done, (nuint)(buffer.Length - done), 0);
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Errnos.EINTR) continue;
                    throw Fail("getrandom", null);
                }
                done += (int)n;
            }
        }
    }

    public static bool Kill(int pid, Signal signal) => Libc.kill(pid, (int)signal) == 0;

    public static uint SetUmask(uint mask) => Libc.umask(mask);

    public static bool IsRoot => Libc.geteuid() == 0;

    /// <summary>The owner a file this process creates gets (outside a setgid directory): its effective uid and gid.</summary>
    public static (int Uid, int Gid) EffectiveIds => (Libc.geteuid(), Libc.getegid());

    /// <summary>
    /// execve(2): on success it never returns. On failure it returns errno (ENOENT, EACCES, ...) so that the
    /// caller can choose the exit status (127 / 126, as Docker does).
    /// </summary>
    public static int Exec(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env)
    {
        var allocations = new List<nint>();
        try
        {
            byte* p = NativeStrings.Utf8(path, allocations);
            byte** a = NativeStrings.NullTerminated(argv, allocations);
            byte** e = NativeStrings.NullTerminated(env, allocations);
            Libc.execve(p, a, e);
            return Marshal.GetLastPInvokeError();
        }
        finally
        {
            NativeStrings.Free(allocations);
        }
    }

    /// <summary>Brings the loopback interface up in the current network namespace (what `ip link set lo up` does).</summary>
    public static void BringLoopbackUp()
    {
        const int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
        const nuint SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
        const short IFF_UP = 0x1;
        int fd = Libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) throw Fail("socket", null);
        try
        {
            byte* ifreq = stackalloc byte[40];
            new Span<byte>(ifreq, 40).Clear();
            ifreq[0] = (byte)'l';
            ifreq[1] = (byte)'o';
            if (Libc.ioctl(fd, SIOCGIFFLAGS, ifreq) != 0) throw Fail("ioctl SIOCGIFFLAGS", "lo");
            *(short*)(ifreq + 16) |= IFF_UP;
            if (Libc.ioctl(fd, SIOCSIFFLAGS, ifreq) != 0) throw Fail("ioctl SIOCSIFFLAGS", "lo");
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>
    /// Deletes the Linux bridge <paramref name="name"/> of the current network namespace (what `ip link delete NAME` does
    /// to a bridge): down first, as SIOCBRDELBR refuses a bridge that is up (EBUSY). False when there is none (ENODEV).
    /// </summary>
    public static bool RemoveBridge(string name)
    {
        const int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000, ENODEV = 19, IFNAMSIZ = 16;
        const nuint SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914, SIOCBRDELBR = 0x89a1;
        const short IFF_UP = 0x1;
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(name);
        if (bytes.Length == 0 || bytes.Length >= IFNAMSIZ || bytes.Contains((byte)0)) throw new ArgumentException($"not an interface name: {name}", nameof(name));
        int fd = Libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) throw Fail("socket", null);
        try
        {
            byte* ifreq = stackalloc byte[40];
            new Span<byte>(ifreq, 40).Clear();
            bytes.CopyTo(new Span<byte>(ifreq, IFNAMSIZ));
            if (Libc.ioctl(fd, SIOCGIFFLAGS, ifreq) != 0)
            {
                if (Marshal.GetLastPInvokeError() == ENODEV) return false;
                throw Fail("ioctl SIOCGIFFLAGS", name);
            }
            *(short*)(ifreq + 16) &= ~IFF_UP;
            if (Libc.ioctl(fd, SIOCSIFFLAGS, ifreq) != 0) throw Fail("ioctl SIOCSIFFLAGS", name);
            byte* bridge = stackalloc byte[IFNAMSIZ];
            new Span<byte>(bridge, IFNAMSIZ).Clear();
            bytes.CopyTo(new Span<byte>(bridge, IFNAMSIZ));
            if (Libc.ioctl(fd, SIOCBRDELBR, bridge) != 0)
            {
                if (Marshal.GetLastPInvokeError() == ENODEV) return false;
                throw Fail("ioctl SIOCBRDELBR", name);
            }
            return true;
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>Writes all of <paramref name="data"/>: write(2) may write less than asked, or be interrupted.</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> data, string nameForErrors)
    {
        fixed (byte* start = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = Libc.write(fd, start + done, (nuint)(data.Length - done));
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Errnos.EINTR) continue;
                    throw new NativeException("write", nameForErrors, errno);
                }
                done += (int)n;
            }
        }
    }

    public static void Fsync(string path, bool directory)
    {
        const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;
        int fd = Libc.open(path, O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0), 0);
        if (fd < 0) throw Fail("open", path);
        try
        {
            if (Libc.fsync(fd) != 0) throw Fail("fsync", path);
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>setrlimit(2) of one resource (RLIMIT_NOFILE is 7).</summary>
    public static void SetResourceLimit(int resource, ulong soft, ulong hard)
    {
        ulong* limit = stackalloc ulong[2];
        limit[0] = soft;
        limit[1] = hard;
        if (Libc.setrlimit(resource, limit) != 0) throw Fail("setrlimit", "resource " + resource.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
