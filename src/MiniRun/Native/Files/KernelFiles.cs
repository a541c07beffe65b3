using System.Runtime.InteropServices;
using System.Text;

namespace MiniRun.Native;

/// <summary>
/// Writes to kernel interface files (cgroupfs, procfs) with one write(2) each, as the kernel expects, and the
/// small probes `doctor` needs. Errors carry errno: cgroupfs answers a bad value with EINVAL, a busy one with EBUSY.
/// </summary>
public static unsafe class KernelFiles
{
    /// <summary>Writes <paramref name="value"/> in one write(2); creates the file only where it is an ordinary filesystem (tests).</summary>
    public static void Write(string path, string value) => Write(path, [value]);

    /// <summary>
    /// Writes each value with a write(2) of its own through one open: a cgroup file takes one value (one device rule,
    /// one PID) per write, so a list costs one open instead of one per item.
    /// </summary>
    public static void Write(string path, IReadOnlyList<string> values) => Write(path, values, create: true);

    /// <summary>As <see cref="Write(string, string)"/>, never creating the file: ENOENT when the kernel does not offer it.</summary>
    public static void WriteExisting(string path, string value) => Write(path, [value], create: false);

    private static void Write(string path, IReadOnlyList<string> values, bool create)
    {
        int fd = Libc.open(path, Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            // cgroupfs and procfs refuse to create a file: then the error is that it is missing.
            if (!create || errno != Errnos.ENOENT || (fd = Libc.open(path, Libc.O_WRONLY | Libc.O_CLOEXEC | Libc.O_CREAT, 0x1a4)) < 0)
                throw new NativeException("open", path, errno);
        }
        try
        {
            foreach (string value in values)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(value);
                fixed (byte* p = bytes)
                    if (Libc.write(fd, p, (nuint)bytes.Length) != bytes.Length)
                        throw new NativeException($"write \"{value}\" to", path, Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            Libc.close(fd);
        }
    }

    public static string? TryReadFirstLine(string path)
    {
        int fd = OpenToRead(path);
        if (fd < 0) return null;
        try
        {
            byte* buffer = stackalloc byte[255];
            nint n;
            while ((n = Libc.read(fd, buffer, 255)) < 0 && Marshal.GetLastPInvokeError() == Errnos.EINTR) { }
            if (n < 0) throw new NativeException("read", path, Marshal.GetLastPInvokeError());
            var text = new ReadOnlySpan<byte>(buffer, (int)n);
            int end = text.IndexOfAny((byte)'\n', (byte)'\r');
            return Encoding.UTF8.GetString(end < 0 ? text : text[..end]).Trim();
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>
    /// The whole of a kernel file (procfs, cgroupfs) as text, read with one open and as few read(2)s as it takes:
    /// `run` reads a dozen of them, where a FileStream and a StreamReader each cost several times the system calls.
    /// Null when the file (or the process it belongs to) does not exist.
    /// </summary>
    public static string? TryReadAll(string path)
    {
        int fd = OpenToRead(path);
        if (fd < 0) return null;
        try
        {
            byte[] buffer = new byte[4096];
            int length = 0;
            while (true)
            {
                if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                nint n;
                fixed (byte* p = buffer)
                    n = Libc.read(fd, p + length, (nuint)(buffer.Length - length));
                if (n == 0) break;
                if (n > 0) length += (int)n;
                else if (Marshal.GetLastPInvokeError() is int errno && errno != Errnos.EINTR)
                    return errno == Errnos.ESRCH ? null : throw new NativeException("read", path, errno);
            }
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>The descriptor, or -1 when there is no such file (or, under /proc, no such process any more).</summary>
    private static int OpenToRead(string path)
    {
        int fd = Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd >= 0) return fd;
        int errno = Marshal.GetLastPInvokeError();
        return errno is Errnos.ENOENT or Errnos.ENOTDIR or Errnos.ESRCH ? -1 : throw new NativeException("open", path, errno);
    }

    /// <summary>isatty(3): whether the descriptor is a terminal.</summary>
    public static bool IsTerminal(int fd) => Libc.isatty(fd) == 1;

    /// <summary>rmdir(2); returns 0 or errno (ENOENT when already gone, EBUSY while processes remain).</summary>
    public static int TryRemoveDirectory(string path) => Libc.rmdir(path) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>The filesystem's magic number (statfs(2) f_type), e.g. 0xEF53 for ext4.</summary>
    public static long FileSystemType(string path)
    {
        Libc.StatfsBuffer buffer;
        if (Libc.statfs(path, &buffer) != 0) throw new NativeException("statfs", path, Marshal.GetLastPInvokeError());
        return buffer.Type;
    }

    /// <summary>Names for the statfs(2) magic numbers (linux/magic.h) a store is likely to sit on.</summary>
    public static string FileSystemName(long magic) => magic switch
    {
        0xEF53 => "ext4",
        0x58465342 => "xfs",
        0x9123683E => "btrfs",
        0x01021994 => "tmpfs",
        0x2FC12FC1 => "zfs",
        _ => $"filesystem 0x{magic:x}",
    };

    /// <summary>The d_type readdir(3) reports for <paramref name="name"/> in <paramref name="dir"/> (0 = DT_UNKNOWN), or -1 if absent.</summary>
    public static int DirectoryEntryType(string dir, string name)
    {
        nint handle = Libc.opendir(dir);
        if (handle == 0) throw new NativeException("opendir", dir, Marshal.GetLastPInvokeError());
        try
        {
            for (nint entry = Libc.readdir(handle); entry != 0; entry = Libc.readdir(handle))
            {
                byte* p = (byte*)entry;
                string entryName = Marshal.PtrToStringUTF8((nint)(p + Libc.DirentNameOffset)) ?? "";
                if (entryName == name) return p[Libc.DirentTypeOffset];
            }
            return -1;
        }
        finally
        {
            Libc.closedir(handle);
        }
    }
}
