using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// The descriptors a container's output goes through: poll(2) over its pipes and its PID 1's pidfd, the reads and
/// writes around it, and the log opened for appending. The runner copies the output on the thread that waits for
/// PID 1 (no thread of its own: see <c>StageSpawner</c>).
/// </summary>
public static unsafe class OutputDescriptors
{
    public const short In = Libc.POLLIN, Out = Libc.POLLOUT;

    /// <summary>
    /// open(2) for appending, created with <paramref name="mode"/> if missing, never through a symlink: every write(2)
    /// lands at the end, whatever else holds the file.
    /// </summary>
    public static int OpenAppend(string path, uint mode)
    {
        int fd = Libc.open(path, Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CREAT | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, mode);
        if (fd < 0) throw new NativeException("open", path, Marshal.GetLastPInvokeError());
        return fd;
    }

    /// <summary>
    /// pidfd_open(2): a descriptor that polls readable once the process has exited (not yet reaped), close-on-exec;
    /// -1 where the kernel has none (before Linux 5.3).
    /// </summary>
    public static int TryOpenPidFd(int pid) => Math.Max(Libc.pidfd_open(pid, 0), -1);

    /// <summary>One read(2); 0 at end of file, and also on an error (a pipe end has nothing more to give).</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* start = buffer)
            while (true)
            {
                nint n = Libc.read(fd, start, (nuint)buffer.Length);
                if (n >= 0) return (int)n;
                if (Marshal.GetLastPInvokeError() != Errnos.EINTR) return 0;
            }
    }

    /// <summary>As <see cref="Read"/>, on a descriptor that may be non-blocking: -1 when it has nothing now (EAGAIN).</summary>
    public static int ReadAvailable(int fd, Span<byte> buffer)
    {
        fixed (byte* start = buffer)
            while (true)
            {
                nint n = Libc.read(fd, start, (nuint)buffer.Length);
                if (n >= 0) return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errnos.EAGAIN) return -1;
                if (errno != Errnos.EINTR) return 0;
            }
    }

    /// <summary>
    /// One write(2) to a non-blocking descriptor: how much it took (0 when it takes nothing now, EAGAIN), or the negated
    /// errno that stopped it (-EPIPE: the reader has gone; -EIO: a terminal nobody holds any more).
    /// </summary>
    public static int WriteAvailable(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
            while (true)
            {
                nint n = Libc.write(fd, start, (nuint)data.Length);
                if (n >= 0) return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errnos.EAGAIN) return 0;
                if (errno != Errnos.EINTR) return -errno;
            }
    }

    /// <summary>
    /// Writes all of <paramref name="data"/> to a descriptor that may be non-blocking (a terminal or pipe we inherited):
    /// on EAGAIN it waits until it is writable. Returns 0, or the errno that stopped it (EPIPE: the reader has gone).
    /// </summary>
    public static int TryWriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = Libc.write(fd, start + done, (nuint)(data.Length - done));
                if (n >= 0)
                {
                    done += (int)n;
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errnos.EINTR) continue;
                if (errno != Errnos.EAGAIN) return errno;
                Span<Libc.PollFd> writable = [new Libc.PollFd { Fd = fd, Events = Out }];
                ProcessControl.Poll(writable, -1, "fd " + fd);
            }
        }
        return 0;
    }
}
