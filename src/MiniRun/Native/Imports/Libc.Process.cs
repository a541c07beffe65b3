using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>Process creation and waiting: posix_spawn(3) (no managed code runs in the child), pipes, waitpid.</summary>
internal static unsafe partial class Libc
{
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_NOCTTY = 0x100, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;
    public const short POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;

    // glibc's opaque types are smaller than these (80 and 336 bytes on x86_64 and arm64); oversized buffers are safe.
    public const int SpawnFileActionsSize = 256, SpawnAttrSize = 512, SigsetSize = 128;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    /// <param name="limit">struct rlimit: the soft limit, then the hard one.</param>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int setrlimit(int resource, ulong* limit);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int waitid(int idtype, int id, void* info, int options);

    public const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int socketpair(int domain, int type, int protocol, int* fds);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newFd);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport(Lib)]
    public static partial int sigemptyset(void* sigset);

    [LibraryImport(Lib)]
    public static partial int sigfillset(void* sigset);

    [LibraryImport(Lib)]
    public static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    public const uint CLOSE_RANGE_CLOEXEC = 4;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close_range(uint first, uint last, int flags);

    public const short POLLIN = 0x1, POLLOUT = 0x4;
    public const int F_DUPFD_CLOEXEC = 1030;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fcntl(int fd, int command, int argument);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Returned;
    }

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int pidfd_open(int pid, uint flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint count, int timeoutMs);
}
