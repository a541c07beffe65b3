using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>Capabilities and process hardening: capset(2), and the prctl(2) options runc uses.</summary>
internal static unsafe partial class Libc
{
    /// <summary>_LINUX_CAPABILITY_VERSION_3: two 32-bit words per set (capget(2)).</summary>
    public const uint LINUX_CAPABILITY_VERSION_3 = 0x20080522;

    public const int PR_SET_DUMPABLE = 4, PR_SET_NAME = 15, PR_SET_KEEPCAPS = 8, PR_CAPBSET_READ = 23, PR_CAPBSET_DROP = 24, PR_SET_NO_NEW_PRIVS = 38,
        PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_CLEAR_ALL = 4;

    [StructLayout(LayoutKind.Sequential)]
    public struct CapHeader
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CapData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int capset(CapHeader* header, CapData* data);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int capget(CapHeader* header, CapData* data);
}
