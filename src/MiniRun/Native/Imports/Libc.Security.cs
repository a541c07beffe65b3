using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>Capabilities and process hardening: capset(2), the prctl(2) options runc uses, seccomp and keyrings.</summary>
internal static unsafe partial class Libc
{
    /// <summary>_LINUX_CAPABILITY_VERSION_3: two 32-bit words per set (capget(2)).</summary>
    public const uint LINUX_CAPABILITY_VERSION_3 = 0x20080522;

    public const int PR_SET_DUMPABLE = 4, PR_SET_NAME = 15, PR_SET_KEEPCAPS = 8, PR_SET_SECCOMP = 22, PR_CAPBSET_READ = 23, PR_CAPBSET_DROP = 24,
        PR_SET_NO_NEW_PRIVS = 38, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_RAISE = 2, PR_CAP_AMBIENT_CLEAR_ALL = 4;

    /// <summary>prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, struct sock_fprog*) (seccomp(2)).</summary>
    public const int SECCOMP_MODE_FILTER = 2;

    /// <summary>keyctl(2) operation: join a new (or the named) session keyring.</summary>
    public const int KEYCTL_JOIN_SESSION_KEYRING = 1;

    /// <summary>keyctl has no glibc wrapper: its number per architecture (asm/unistd.h).</summary>
    public static long KeyctlSyscall => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 219 : 250;

    /// <summary>struct sock_fprog: the program's length in instructions, then a pointer to them.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockFprog
    {
        public ushort Length;
        public byte* Filter;
    }

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

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial long syscall_keyctl(long number, long operation, string name);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int memfd_create(string name, uint flags);

    public const uint MFD_CLOEXEC = 1;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int capget(CapHeader* header, CapData* data);
}
