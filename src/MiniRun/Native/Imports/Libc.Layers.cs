using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>The descriptor-based calls the layer unpacker uses (one open per file, then f* calls on it, as GNU tar does).</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fchown(int fd, int uid, int gid);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fchmod(int fd, uint mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int fsetxattr(int fd, string name, byte* value, nuint size, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int futimens(int fd, Timespec* times);
}
