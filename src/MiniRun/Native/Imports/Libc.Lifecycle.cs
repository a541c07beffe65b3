using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>What detached containers and exec need: opening files in a spawned child (posix_spawn_file_actions_addopen(3)).</summary>
internal static unsafe partial class Libc
{
    public const int O_PATH = 0x200000, O_APPEND = 0x400, O_TRUNC = 0x200, O_EXCL = 0x80;

    [LibraryImport(Lib)]
    public static partial int posix_spawn_file_actions_addopen(void* actions, int fd, byte* path, int flags, uint mode);
}
