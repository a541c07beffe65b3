using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>Pseudo-terminals (pty(7)) and descriptors passed over unix sockets (unix(7) SCM_RIGHTS).</summary>
internal static unsafe partial class Libc
{
    // asm-generic/ioctls.h: the same numbers on x86_64 and arm64.
    public const uint TIOCGWINSZ = 0x5413, TIOCSCTTY = 0x540E, TIOCSWINSZ = 0x5414, TIOCGPTPEER = 0x5441, TIOCGPTN = 0x80045430, TIOCSPTLCK = 0x40045431;
    public const int SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_CMSG_CLOEXEC = 0x40000000;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int connect(int fd, void* address, uint length);

    // A container's attach socket (UnixSocket): non-blocking, as every descriptor its one polling thread serves.
    public const int SOCK_NONBLOCK = 0x800, O_NONBLOCK = 0x800, F_GETFL = 3, F_SETFL = 4;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int bind(int fd, void* address, uint length);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int listen(int fd, int backlog);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int accept4(int fd, void* address, void* length, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint sendmsg(int fd, MessageHeader* message, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint recvmsg(int fd, MessageHeader* message, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int dup3(int fd, int newFd, int flags);

    /// <summary>struct msghdr (LP64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>struct cmsghdr with room for one descriptor (CMSG_SPACE(sizeof(int)) = 24 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RightsMessage
    {
        public nuint Length;
        public int Level;
        public int Type;
        public int Descriptor;
        private int _padding;
    }

    /// <summary>glibc's struct termios is 60 bytes on x86_64 and arm64; kept as bytes: only saved, made raw and restored.</summary>
    public const int TermiosSize = 64, TCSANOW = 0;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int tcgetattr(int fd, byte* termios);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int tcsetattr(int fd, int when, byte* termios);

    [LibraryImport(Lib)]
    public static partial void cfmakeraw(byte* termios);

    /// <summary>struct winsize.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct WindowSize
    {
        public ushort Rows, Columns, XPixels, YPixels;
    }
}
