using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>Calls relative to an open directory (openat(2), fdopendir(3), readlinkat(2)), for walking a tree without re-resolving paths.</summary>
internal static unsafe partial class Libc
{
    public const int O_NOFOLLOW = 0x20000, AT_EMPTY_PATH = 0x1000; // O_RDONLY, O_DIRECTORY, O_CLOEXEC: Libc.Process.cs

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int openat(int dirFd, string path, int flags, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint fdopendir(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int dirfd(nint dir);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint readlinkat(int dirFd, string path, byte* buffer, nuint size);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int unlinkat(int dirFd, string path, int flags);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkdirat(int dirFd, string path, uint mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int symlinkat(string target, int dirFd, string linkPath);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int fchownat(int dirFd, string path, int uid, int gid, int flags);
}
