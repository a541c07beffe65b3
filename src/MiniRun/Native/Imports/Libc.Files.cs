using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>Directory reading for the d_type probe (readdir(3)) and statfs(2) for the filesystem type.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint opendir(string path);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint readdir(nint dir);

    [LibraryImport(Lib)]
    public static partial int closedir(nint dir);

    [LibraryImport(Lib)]
    public static partial int isatty(int fd);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statfs(string path, StatfsBuffer* buffer);

    /// <summary>struct statfs on 64-bit Linux: f_type is the first word (statfs(2)); the rest is not read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 120)]
    public struct StatfsBuffer
    {
        [FieldOffset(0)] public long Type;
    }

    /// <summary>struct dirent (glibc, 64-bit): d_ino, d_off, d_reclen, then d_type at byte 18 and d_name at 19.</summary>
    public const int DirentTypeOffset = 18, DirentNameOffset = 19;
    public const byte DT_UNKNOWN = 0, DT_DIR = 4, DT_REG = 8;
}
