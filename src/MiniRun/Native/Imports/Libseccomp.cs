using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// libseccomp (Debian's libseccomp2, the library runc and crun use), only to compile a profile into a BPF program in
/// the parent: the stages load the exported program with the raw seccomp(2) call and never load this library.
/// Every call returns a negative errno on failure rather than setting errno (seccomp_init(3), seccomp_rule_add(3)).
/// </summary>
internal static unsafe partial class Libseccomp
{
    private const string Lib = "libseccomp.so.2";

    /// <summary>The syscall number libseccomp answers for a name it does not know (__NR_SCMP_ERROR).</summary>
    public const int UnknownSyscall = -1;

    /// <summary>struct scmp_arg_cmp: one condition on one argument of a syscall.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ArgCompare
    {
        public uint Arg;
        public int Op;
        public ulong DatumA;
        public ulong DatumB;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Version
    {
        public uint Major;
        public uint Minor;
        public uint Micro;
    }

    [LibraryImport(Lib)]
    public static partial nint seccomp_init(uint defaultAction);

    [LibraryImport(Lib)]
    public static partial void seccomp_release(nint context);

    /// <summary>enum scmp_filter_attr: SCMP_FLTATR_CTL_OPTIMIZE, 2 = a binary tree of syscall numbers (seccomp_attr_set(3)).</summary>
    public const int AttributeOptimize = 8;

    [LibraryImport(Lib)]
    public static partial int seccomp_attr_set(nint context, int attribute, uint value);

    [LibraryImport(Lib)]
    public static partial int seccomp_arch_add(nint context, uint archToken);

    [LibraryImport(Lib)]
    public static partial uint seccomp_arch_native();

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint seccomp_arch_resolve_name(string name);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int seccomp_syscall_resolve_name(string name);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int seccomp_syscall_resolve_name_arch(uint archToken, string name);

    [LibraryImport(Lib)]
    public static partial int seccomp_rule_add_array(nint context, uint action, int syscall, uint count, ArgCompare* conditions);

    [LibraryImport(Lib)]
    public static partial int seccomp_export_bpf(nint context, int fd);

    [LibraryImport(Lib)]
    public static partial Version* seccomp_version();
}
