using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>libc entry points the image store needs (the repositories.json writer lock).</summary>
internal static unsafe partial class Libc
{
    public const int LOCK_EX = 2;
    public const int LOCK_UN = 8;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int flock(int fd, int operation);
}
