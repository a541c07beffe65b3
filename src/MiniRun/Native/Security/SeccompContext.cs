using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MiniRun.Native;

/// <summary>
/// A libseccomp filter being built (scmp_filter_ctx), checked: each failure is one line naming the call. Made only in
/// the parent, to export the BPF program the stages load with <see cref="SecuritySyscalls.LoadSeccompFilter"/>.
/// </summary>
public sealed unsafe class SeccompContext : IDisposable
{
    private nint _context;

    /// <summary>One condition on one argument: struct scmp_arg_cmp's fields (op is enum scmp_compare).</summary>
    public readonly record struct Condition(uint Argument, int Operator, ulong Value, ulong ValueTwo);

    /// <summary>Starts a filter whose default is <paramref name="defaultAction"/>, as a binary tree of syscall numbers.</summary>
    public SeccompContext(uint defaultAction)
    {
        try { _context = Libseccomp.seccomp_init(defaultAction); }
        catch (DllNotFoundException) { throw Missing(); }
        if (_context == 0) throw new MiniRunException("seccomp: libseccomp could not start a filter (seccomp_init)");
        // A tree rather than a list: the kernel runs the filter for every syscall number when it is loaded (its
        // allow cache), which took a linear program of Docker's profile twice as long.
        Check(Libseccomp.seccomp_attr_set(_context, Libseccomp.AttributeOptimize, 2), "seccomp_attr_set", "SCMP_FLTATR_CTL_OPTIMIZE");
    }

    /// <summary>This machine's architecture token (AUDIT_ARCH_*, as struct seccomp_data's arch has it).</summary>
    public static uint NativeArchitecture => Libseccomp.seccomp_arch_native();

    /// <summary>libseccomp's token for "x86_64", "x32", "aarch64"…; 0 when it does not know the name.</summary>
    public static uint Architecture(string name) => Libseccomp.seccomp_arch_resolve_name(name);

    /// <summary>The syscall's number on this machine (negative for one only other architectures have); null when unknown.</summary>
    public static int? Syscall(string name) =>
        Libseccomp.seccomp_syscall_resolve_name(name) is var number && number != Libseccomp.UnknownSyscall ? number : null;

    /// <summary>The syscall's number on one architecture; negative when it has none there or libseccomp does not know it.</summary>
    public static int Syscall(uint architecture, string name) => Libseccomp.seccomp_syscall_resolve_name_arch(architecture, name);

    /// <summary>libseccomp's version ("2.5.4"), loading the library.</summary>
    public static string Version()
    {
        try
        {
            Libseccomp.Version* version = Libseccomp.seccomp_version();
            return version is null ? "?" : $"{version->Major}.{version->Minor}.{version->Micro}";
        }
        catch (DllNotFoundException) { throw Missing(); }
    }

    public void AddArchitecture(uint token)
    {
        int result = Libseccomp.seccomp_arch_add(_context, token);
        if (result != -Errnos.EEXIST) Check(result, "seccomp_arch_add", $"architecture {token:x}"); // the native one is there already
    }

    /// <summary>One rule: the action when every condition holds (seccomp_rule_add_array(3)).</summary>
    public void AddRule(uint action, int syscall, ReadOnlySpan<Condition> conditions, string name)
    {
        Span<Libseccomp.ArgCompare> compares = stackalloc Libseccomp.ArgCompare[conditions.Length];
        for (int i = 0; i < conditions.Length; i++)
            compares[i] = new Libseccomp.ArgCompare { Arg = conditions[i].Argument, Op = conditions[i].Operator, DatumA = conditions[i].Value, DatumB = conditions[i].ValueTwo };
        fixed (Libseccomp.ArgCompare* first = compares)
            Check(Libseccomp.seccomp_rule_add_array(_context, action, syscall, (uint)compares.Length, first), "seccomp_rule_add", name);
    }

    /// <summary>The program as struct sock_filter[] (seccomp_export_bpf(3) writes it to a memfd, read back whole).</summary>
    public byte[] Export()
    {
        int fd = Libc.memfd_create("minirun-seccomp", Libc.MFD_CLOEXEC);
        if (fd < 0) throw new NativeException("memfd_create", "minirun-seccomp", Marshal.GetLastPInvokeError());
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        Check(Libseccomp.seccomp_export_bpf(_context, fd), "seccomp_export_bpf", null);
        byte[] program = new byte[RandomAccess.GetLength(handle)];
        if (RandomAccess.Read(handle, program, 0) != program.Length || program.Length == 0 || program.Length % 8 != 0)
            throw new MiniRunException("seccomp: libseccomp exported a truncated program");
        return program;
    }

    public void Dispose()
    {
        if (_context != 0) Libseccomp.seccomp_release(_context);
        _context = 0;
    }

    private static void Check(int negativeErrno, string call, string? what)
    {
        if (negativeErrno != 0)
            throw new MiniRunException($"seccomp: {call}{(what is null ? "" : " " + what)}: {Errnos.Name(-negativeErrno)} ({Errnos.Describe(-negativeErrno)})");
    }

    private static MiniRunException Missing() =>
        new("seccomp: libseccomp.so.2 is not installed (apt-get install libseccomp2), or run with --security-opt seccomp=unconfined");
}
