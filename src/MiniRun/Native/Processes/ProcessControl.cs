using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// Spawning and reaping processes without fork() in managed code: posix_spawn(3) runs no managed code in the child,
/// so it is safe from a thread that has unshared namespaces (the child inherits that thread's namespaces).
/// </summary>
public static unsafe partial class ProcessControl
{
    /// <summary>A pipe whose ends are close-on-exec: (read, write).</summary>
    public static (int Read, int Write) CreatePipe()
    {
        int* fds = stackalloc int[2];
        if (Libc.pipe2(fds, Libc.O_CLOEXEC) != 0) throw new NativeException("pipe2", null, Marshal.GetLastPInvokeError());
        return (fds[0], fds[1]);
    }

    /// <summary>A connected pair of Unix stream sockets, close-on-exec: a channel both ends can write (a stage and its parent).</summary>
    public static (int Ours, int Theirs) CreateSocketPair()
    {
        int* fds = stackalloc int[2];
        if (Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, fds) != 0)
            throw new NativeException("socketpair", null, Marshal.GetLastPInvokeError());
        return (fds[0], fds[1]);
    }

    public static void Close(int fd) => Libc.close(fd);

    /// <summary>mkfifo(3) (mknod S_IFIFO), mode 0600: a rendezvous that blocks each side's open until the other's.</summary>
    public static void MakeFifo(string path)
    {
        if (Libc.mknod(path, Syscalls.S_IFIFO | 0x180, 0) != 0) throw new NativeException("mkfifo", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// Starts <paramref name="path"/> with fds 0-2 inherited and <paramref name="passedFds"/> (if any) as fds 3, 4, ...;
    /// every other descriptor of ours is close-on-exec. Signal dispositions are reset and the mask emptied,
    /// so the child does not inherit the runtime's signal setup. With <paramref name="stdio"/>, the child's stdin is
    /// opened read-only and its stdout and stderr both append to one file (the supervisor's own messages); with
    /// <paramref name="output"/>, its stdout and stderr are these descriptors instead (a container's output pipes).
    /// With <paramref name="programFd"/>, the program is the file open on it (O_PATH will do), run as /proc/self/fd/N;
    /// <paramref name="path"/> then only names it in errors. <paramref name="stdin"/>: ours (<see cref="InheritStdin"/>),
    /// /dev/null (<see cref="NullStdin"/>, opened by the child), or a descriptor (a container's stdin pipe).
    /// </summary>
    public static int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env, IReadOnlyList<int>? passedFds = null, bool newSession = false,
        (string Input, string Output)? stdio = null, (int Stdout, int Stderr)? output = null, int programFd = -1, int stdin = InheritStdin)
    {
        byte* actions = stackalloc byte[Libc.SpawnFileActionsSize];
        byte* attr = stackalloc byte[Libc.SpawnAttrSize];
        byte* sigset = stackalloc byte[Libc.SigsetSize];
        var allocations = new List<nint>();
        var copies = new List<int>();
        Libc.posix_spawn_file_actions_init(actions);
        Libc.posix_spawnattr_init(attr);
        try
        {
            int passed = passedFds?.Count ?? 0;
            // The output pipes too are read after the dup2s onto 3, 4, ...: copied above that range if they sit in it.
            (int Stdout, int Stderr)? outputFds = output is { } o
                ? (AboveRange(o.Stdout, 3 + passed, copies), AboveRange(o.Stderr, 3 + passed, copies))
                : null;
            for (int i = 0; i < passed; i++)
            {
                // dup2 onto 3 + i clears close-on-exec on the duplicate only (dup2(2)). The dup2s run in order, so a
                // descriptor already in 3..3+n-1 is first copied above that range, lest an earlier dup2 replace it.
                Libc.posix_spawn_file_actions_adddup2(actions, AboveRange(passedFds![i], 3 + passed, copies), 3 + i);
            }
            int stdinFd = stdin >= 0 ? AboveRange(stdin, 3 + passed, copies) : stdin;
            // The program's descriptor too: the child resolves /proc/self/fd/N after the dup2s, at execve.
            string program = programFd < 0 ? path : "/proc/self/fd/" + AboveRange(programFd, 3 + passed, copies);
            if (stdio is { } files)
            {
                Libc.posix_spawn_file_actions_addopen(actions, 0, NativeStrings.Utf8(files.Input, allocations), Libc.O_RDONLY, 0);
                Libc.posix_spawn_file_actions_addopen(actions, 1, NativeStrings.Utf8(files.Output, allocations),
                    Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND, 0x1A0); // 0640: logs may hold secrets
                Libc.posix_spawn_file_actions_adddup2(actions, 1, 2);
            }
            if (stdinFd >= 0) Libc.posix_spawn_file_actions_adddup2(actions, stdinFd, 0);
            else if (stdinFd == NullStdin)
                Libc.posix_spawn_file_actions_addopen(actions, 0, NativeStrings.Utf8("/dev/null", allocations), Libc.O_RDONLY, 0);
            if (outputFds is { } pipes)
            {
                Libc.posix_spawn_file_actions_adddup2(actions, pipes.Stdout, 1);
                Libc.posix_spawn_file_actions_adddup2(actions, pipes.Stderr, 2);
            }
            short flags = Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF;
            if (newSession) flags |= Libc.POSIX_SPAWN_SETSID;
            Libc.posix_spawnattr_setflags(attr, flags);
            Libc.sigemptyset(sigset);
            Libc.posix_spawnattr_setsigmask(attr, sigset);
            Libc.sigfillset(sigset);
            Libc.posix_spawnattr_setsigdefault(attr, sigset);

            int pid;
            int error = Libc.posix_spawn(&pid, NativeStrings.Utf8(program, allocations), actions, attr,
                NativeStrings.NullTerminated(argv, allocations), NativeStrings.NullTerminated(env, allocations));
            if (error != 0) throw new NativeException("posix_spawn", path, error);
            return pid;
        }
        finally
        {
            foreach (int copy in copies) Libc.close(copy);
            Libc.posix_spawn_file_actions_destroy(actions);
            Libc.posix_spawnattr_destroy(attr);
            NativeStrings.Free(allocations);
        }
    }

    /// <summary>What <see cref="Spawn"/> gives the child as its stdin, unless a descriptor: ours, or /dev/null.</summary>
    public const int InheritStdin = -1, NullStdin = -2;

    /// <summary>The descriptor itself, or when it is below <paramref name="limit"/> a close-on-exec copy above it.</summary>
    private static int AboveRange(int fd, int limit, List<int> copies)
    {
        if (fd >= limit) return fd;
        int copy = Libc.fcntl(fd, Libc.F_DUPFD_CLOEXEC, limit);
        if (copy < 0) throw new NativeException("fcntl F_DUPFD_CLOEXEC", "fd " + fd, Marshal.GetLastPInvokeError());
        copies.Add(copy);
        return copy;
    }

    /// <summary>Waits for <paramref name="pid"/> and returns its status as a shell does: the exit code, or 128 + signal.</summary>
    public static int WaitForExit(int pid)
    {
        int status;
        while (Libc.waitpid(pid, &status, 0) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errnos.EINTR) throw new NativeException("waitpid", pid.ToString(), errno);
        }
        int signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    /// <summary>Writes all of <paramref name="data"/> to a descriptor (a pipe end).</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> data) => Syscalls.WriteAll(fd, data, "fd " + fd);

    /// <summary>Reads exactly <paramref name="count"/> bytes; null when end of file comes first.</summary>
    public static byte[]? ReadExactly(int fd, int count)
    {
        byte[] result = new byte[count];
        fixed (byte* start = result)
        {
            for (int done = 0; done < count;)
            {
                nint n = Libc.read(fd, start + done, (nuint)(count - done));
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Errnos.EINTR) continue;
                    throw new NativeException("read", "fd " + fd, errno);
                }
                if (n == 0) return null;
                done += (int)n;
            }
        }
        return result;
    }

    /// <summary>Reads a descriptor to end of file.</summary>
    public static byte[] ReadAll(int fd)
    {
        var result = new MemoryStream();
        byte* buffer = stackalloc byte[16384];
        while (true)
        {
            nint n = Libc.read(fd, buffer, 16384);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errnos.EINTR) continue;
                throw new NativeException("read", "fd " + fd, errno);
            }
            if (n == 0) return result.ToArray();
            result.Write(new ReadOnlySpan<byte>(buffer, (int)n));
        }
    }

    /// <summary>
    /// Marks every descriptor from 3 up close-on-exec (close_range(2)), so nothing minirun inherited or opened is
    /// reachable from the command it execs: runc does the same before execve.
    /// </summary>
    public static void CloseOnExecFrom(int first)
    {
        if (Libc.close_range((uint)first, uint.MaxValue, (int)Libc.CLOSE_RANGE_CLOEXEC) != 0)
            throw new NativeException("close_range", null, Marshal.GetLastPInvokeError());
    }

    /// <summary>open(2) of a directory, close-on-exec, for fchdir.</summary>
    public static int OpenDirectory(string path)
    {
        int fd = Libc.open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new NativeException("open", path, Marshal.GetLastPInvokeError());
        return fd;
    }

    /// <summary>A pidfd of this process (pidfd_open(2)), close-on-exec: a child can tell from it whether we still live.</summary>
    public static int OpenOwnPidfd()
    {
        int fd = Libc.pidfd_open(Libc.getpid(), 0); // pidfds are always close-on-exec
        if (fd < 0) throw new NativeException("pidfd_open", null, Marshal.GetLastPInvokeError());
        return fd;
    }

    /// <summary>
    /// Waits for a child at most <paramref name="timeout"/>: its status as <see cref="WaitForExit(int)"/> gives it, or
    /// null when it still runs then (it is killed and reaped).
    /// </summary>
    public static int? WaitForExit(int pid, TimeSpan timeout)
    {
        int pidfd = Libc.pidfd_open(pid, 0);
        if (pidfd < 0) throw new NativeException("pidfd_open", "pid " + pid, Marshal.GetLastPInvokeError());
        try
        {
            Span<Libc.PollFd> poll = [new Libc.PollFd { Fd = pidfd, Events = Libc.POLLIN }];
            if (Poll(poll, (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds), "a hook") > 0) return WaitForExit(pid);
            Libc.kill(pid, (int)Signal.Kill);
            WaitForExit(pid);
            return null;
        }
        finally
        {
            Libc.close(pidfd);
        }
    }

    /// <summary>Waits until the write end of a pipe has no reader left (poll(2) reports POLLERR on it).</summary>
    public static void WaitUntilNoReader(int writeEnd)
    {
        // No event asked: only POLLERR (a pipe) or POLLHUP (a socket whose peer has closed), or POLLNVAL, wakes it.
        Span<Libc.PollFd> poll = [new Libc.PollFd { Fd = writeEnd, Events = 0 }];
        Poll(poll, -1, "a stage's channel");
    }

    /// <summary>True once the process a pidfd refers to has ended: the pidfd polls readable (pidfd_open(2)).</summary>
    public static bool HasEnded(int pidfd)
    {
        Span<Libc.PollFd> poll = [new Libc.PollFd { Fd = pidfd, Events = Libc.POLLIN }];
        return Poll(poll, 0, "a pidfd") > 0;
    }

    /// <summary>poll(2), retried when a signal interrupts it; how many entries have events (0: timed out).</summary>
    internal static int Poll(Span<Libc.PollFd> entries, int timeoutMs, string? what)
    {
        fixed (Libc.PollFd* start = entries)
            while (true)
            {
                int n = Libc.poll(start, (nuint)entries.Length, timeoutMs);
                if (n >= 0) return n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Errnos.EINTR) throw new NativeException("poll", what, errno);
            }
    }
}
