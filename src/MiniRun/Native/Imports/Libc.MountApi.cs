using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// The new mount API (Linux 5.2, wrappers since glibc 2.36): a filesystem is configured on a context descriptor and
/// mounted as a detached mount, reachable only through the descriptor fsmount(2) returns (mount_setattr(2), fsopen(2)).
/// </summary>
internal static unsafe partial class Libc
{
    public const uint FSOPEN_CLOEXEC = 1, FSMOUNT_CLOEXEC = 1;
    public const uint FSCONFIG_SET_STRING = 1, FSCONFIG_CMD_CREATE = 6;
    public const uint MOUNT_ATTR_RDONLY = 0x1, MOUNT_ATTR_NOSUID = 0x2, MOUNT_ATTR_NODEV = 0x4;

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int fsopen(string fsName, uint flags);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int fsconfig(int fd, uint command, string? key, string? value, int aux);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fsmount(int fd, uint flags, uint attributes);
}
