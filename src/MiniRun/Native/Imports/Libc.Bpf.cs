using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>bpf(2): loading a program and attaching it to a cgroup (linux/bpf.h); glibc has no wrapper.</summary>
internal static unsafe partial class Libc
{
    public const int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8;
    public const uint BPF_PROG_TYPE_CGROUP_DEVICE = 15, BPF_CGROUP_DEVICE = 6, BPF_F_ALLOW_MULTI = 2;

    /// <summary>union bpf_attr for BPF_PROG_LOAD, up to expected_attach_type (the kernel zero-checks the rest by size).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    public struct BpfProgLoadAttr
    {
        [FieldOffset(0)] public uint ProgType;
        [FieldOffset(4)] public uint InsnCount;
        [FieldOffset(8)] public ulong Insns;
        [FieldOffset(16)] public ulong License;
        [FieldOffset(24)] public uint LogLevel;
        [FieldOffset(28)] public uint LogSize;
        [FieldOffset(32)] public ulong LogBuf;
        [FieldOffset(68)] public uint ExpectedAttachType;
    }

    /// <summary>union bpf_attr for BPF_PROG_ATTACH: target_fd, attach_bpf_fd, attach_type, attach_flags, replace_bpf_fd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct BpfProgAttachAttr
    {
        public uint TargetFd;
        public uint AttachBpfFd;
        public uint AttachType;
        public uint AttachFlags;
        public uint ReplaceBpfFd;
    }

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    public static partial long syscall_bpf(long number, int command, void* attr, uint size);
}
