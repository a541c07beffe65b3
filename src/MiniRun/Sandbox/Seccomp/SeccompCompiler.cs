using System.Runtime.InteropServices;
using MiniRun.Native;

namespace MiniRun.Sandbox.Seccomp;

/// <summary>
/// Compiles a profile for one container into the BPF program its stages load, with libseccomp as runc does
/// (libcontainer/seccomp/seccomp_linux.go): Docker's filtering of the rules (moby/profiles seccomp_linux.go: arches,
/// capabilities, minKernel), one libseccomp rule per syscall name, names this libseccomp does not know skipped.
/// In front of libseccomp's program goes an ENOSYS stub, runc's patchbpf in short: Debian's libseccomp is older
/// than the kernel, and a syscall newer than every name it resolved must fail as "not implemented" (glibc then falls
/// back: clone3, openat2, fchmodat2), not with the default EPERM.
/// </summary>
internal static class SeccompCompiler
{
    /// <summary>The program (struct sock_filter[], native byte order) and the number of rules it was made from.</summary>
    public static (byte[] Program, int Rules) Compile(SeccompProfile profile, ulong capabilities, KernelVersion kernel)
    {
        uint defaultAction = SeccompActions.Resolve(profile.DefaultAction!, profile.DefaultErrnoRet);
        using var filter = new SeccompContext(defaultAction);
        uint native = SeccompContext.NativeArchitecture;
        foreach (uint arch in Architectures(profile)) filter.AddArchitecture(arch);
        int highest = -1, rules = 0;
        foreach (SeccompRule rule in profile.Syscalls ?? [])
        {
            foreach (string name in rule.AllNames) // every name the profile knows, whether this rule applies or not
                highest = Math.Max(highest, SeccompContext.Syscall(native, name));
            if (!Applies(rule, capabilities, kernel)) continue;
            uint action = SeccompActions.Resolve(rule.Action!, rule.ErrnoRet);
            if (action == defaultAction) continue; // libseccomp refuses it, and it changes nothing (runc skips it too)
            foreach (string name in rule.AllNames)
            {
                if (SeccompContext.Syscall(name) is not { } syscall) continue; // newer than this libseccomp: the stub answers ENOSYS
                AddRule(filter, action, syscall, name, rule.Args ?? []);
                rules++;
            }
        }
        byte[] program = filter.Export();
        // A permissive default lets future syscalls through anyway (runc's isAllowAction: allow, log, trace).
        bool permissive = (defaultAction & 0xffff0000) is SeccompActions.Allow or SeccompActions.Log or SeccompActions.Trace;
        return (permissive ? program : [.. EnosysStub(native, highest), .. program], rules);
    }

    /// <summary>The archMap entry of this machine (with its sub-architectures), or every one of "architectures".</summary>
    private static IEnumerable<uint> Architectures(SeccompProfile profile)
    {
        string native = NativeProfileArchitecture();
        IEnumerable<string> names = profile.ArchMap?.FirstOrDefault(a => a.Architecture == native) is { } entry
            ? [entry.Architecture!, .. entry.SubArchitectures ?? []]
            : profile.Architectures ?? [];
        foreach (string name in names)
        {
            // "SCMP_ARCH_X86_64" is libseccomp's "x86_64"; one this libseccomp does not know is left out.
            uint token = SeccompContext.Architecture(name.Replace("SCMP_ARCH_", "").ToLowerInvariant());
            if (token != 0) yield return token;
        }
    }

    /// <summary>Docker's test of includes and excludes against this container (moby/profiles seccomp_linux.go).</summary>
    internal static bool Applies(SeccompRule rule, ulong capabilities, KernelVersion kernel)
    {
        string arch = DockerArchitecture();
        if (rule.Excludes is { } excludes)
        {
            if (excludes.Arches is { } arches && arches.Contains(arch)) return false;
            if (excludes.Caps is { } caps && caps.Any(c => Holds(capabilities, c))) return false;
            if (excludes.MinKernel is { } min && kernel.CompareTo(KernelVersion.TryParse(min)!.Value) >= 0) return false;
        }
        if (rule.Includes is { } includes)
        {
            if (includes.Arches is { Count: > 0 } arches && !arches.Contains(arch)) return false;
            if (includes.Caps is { } caps && !caps.All(c => Holds(capabilities, c))) return false;
            if (includes.MinKernel is { } min && kernel.CompareTo(KernelVersion.TryParse(min)!.Value) < 0) return false;
        }
        return true;
    }

    private static bool Holds(ulong capabilities, string name)
    {
        string bare = name.StartsWith("CAP_", StringComparison.Ordinal) ? name[4..] : name;
        for (int cap = 0; cap < CapabilityNames.All.Count && cap < 64; cap++)
            if (CapabilityNames.All[cap] == bare) return (capabilities & 1UL << cap) != 0;
        return false; // a name this minirun does not know is in no container's set
    }

    /// <summary>
    /// Conditions on different arguments are one rule (all must match); several on the same argument become one rule
    /// each (any may match), as runc does, since libseccomp refuses two conditions on one argument in a rule.
    /// </summary>
    private static void AddRule(SeccompContext filter, uint action, int syscall, string name, List<SeccompArgument> args)
    {
        SeccompContext.Condition[] conditions = args
            .Select(a => new SeccompContext.Condition(a.Index, SeccompArgument.Operator(a.Op)!.Value, a.Value, a.ValueTwo)).ToArray();
        if (args.GroupBy(a => a.Index).All(g => g.Count() == 1)) filter.AddRule(action, syscall, conditions, name);
        else foreach (SeccompContext.Condition condition in conditions) filter.AddRule(action, syscall, [condition], name);
    }

    /// <summary>
    /// Five instructions that only return or fall through (so libseccomp's jump offsets stay valid): on this machine's
    /// architecture, a syscall number above <paramref name="highest"/> and below x32's bit (0x40000000) gets ENOSYS.
    /// </summary>
    internal static byte[] EnosysStub(uint nativeArch, int highest)
    {
        if (highest < 0) return [];
        const ushort LoadWord = 0x20, JumpEqual = 0x15, JumpGreater = 0x25, JumpGreaterOrEqual = 0x35, Return = 0x06;
        const uint ArchOffset = 4, NumberOffset = 0; // struct seccomp_data: int nr; __u32 arch; ...
        var stub = new BpfInstruction[]
        {
            new(LoadWord, 0, 0, ArchOffset),
            new(JumpEqual, 0, 4, nativeArch),                  // another architecture: to libseccomp's program
            new(LoadWord, 0, 0, NumberOffset),
            new(JumpGreater, 0, 2, (uint)highest),             // a number the profile knows: to libseccomp's program
            new(JumpGreaterOrEqual, 1, 0, 0x40000000),         // x32's numbers: to libseccomp's program
            new(Return, 0, 0, SeccompActions.Errno | Errnos.ENOSYS),
        };
        return MemoryMarshal.AsBytes(stub.AsSpan()).ToArray();
    }

    /// <summary>struct sock_filter (linux/filter.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct BpfInstruction(ushort Code, byte JumpTrue, byte JumpFalse, uint K);

    /// <summary>The archMap name of this machine, as Docker picks the entry (runtime.GOARCH → SCMP_ARCH_*).</summary>
    internal static string NativeProfileArchitecture() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "SCMP_ARCH_X86_64",
        Architecture.Arm64 => "SCMP_ARCH_AARCH64",
        Architecture.X86 => "SCMP_ARCH_X86",
        Architecture.Arm => "SCMP_ARCH_ARM",
        Architecture.S390x => "SCMP_ARCH_S390X",
        Architecture.Ppc64le => "SCMP_ARCH_PPC64LE",
        Architecture.RiscV64 => "SCMP_ARCH_RISCV64",
        var other => "SCMP_ARCH_" + other.ToString().ToUpperInvariant(),
    };

    /// <summary>This machine in the names of includes/excludes "arches" (Docker's goToNative: amd64, arm64, …).</summary>
    internal static string DockerArchitecture() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "x86",
        Architecture.Arm => "arm",
        Architecture.LoongArch64 => "loongarch64",
        var other => other.ToString().ToLowerInvariant(),
    };
}
