using System.Runtime.InteropServices;

namespace MiniRun.Native;

internal static partial class Libc
{
    public const int LOCK_SH = 1, LOCK_EX = 2, LOCK_UN = 8;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int flock(int fd, int operation);
}
