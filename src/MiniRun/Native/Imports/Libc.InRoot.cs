using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// Resolving paths inside a directory as if it were "/" (openat2(2), Linux 5.6) and reading what an O_PATH descriptor
/// names: xattrs through its /proc/self/fd link, which reaches the inode without opening it (no device's open, no FIFO's wait).
/// </summary>
internal static unsafe partial class Libc
{
    /// <summary>glibc 2.36 (Debian 12) has no openat2 wrapper: the same number on x86_64 and arm64.</summary>
    public const long SYS_openat2 = 437;

    public const ulong RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04,
        RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;

    /// <summary>struct open_how (openat2(2)): flags, mode, resolve; three u64s.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial long syscall_openat2(long number, int dirFd, string path, OpenHow* how, nuint size);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint getxattr(string path, string name, byte* value, nuint size);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint listxattr(string path, byte* list, nuint size);
}
