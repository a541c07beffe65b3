using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>Checked wrappers for capabilities(7) and no_new_privs: each failure names the call.</summary>
public static unsafe class SecuritySyscalls
{
    private static NativeException Fail(string call) => new(call, null, Marshal.GetLastPInvokeError());

    /// <summary>Removes one capability from the bounding set (needs CAP_SETPCAP, so it runs before the uid change).</summary>
    public static void DropFromBoundingSet(int capability)
    {
        if (Libc.prctl(Libc.PR_CAPBSET_DROP, (nuint)capability, 0, 0, 0) != 0) throw Fail($"prctl PR_CAPBSET_DROP {capability}");
    }

    /// <summary>Keeps the permitted set across setresuid(2) to a non-zero uid (capabilities(7), "Effect of user ID changes").</summary>
    public static void SetKeepCapabilities(bool keep)
    {
        if (Libc.prctl(Libc.PR_SET_KEEPCAPS, keep ? 1u : 0u, 0, 0, 0) != 0) throw Fail("prctl PR_SET_KEEPCAPS");
    }

    /// <summary>Sets the effective, permitted and inheritable sets of this thread (capset(2), version 3: 64 bits each).</summary>
    public static void SetCapabilities(ulong effective, ulong permitted, ulong inheritable)
    {
        var header = new Libc.CapHeader { Version = Libc.LINUX_CAPABILITY_VERSION_3, Pid = 0 };
        Libc.CapData* data = stackalloc Libc.CapData[2];
        data[0] = new Libc.CapData { Effective = (uint)effective, Permitted = (uint)permitted, Inheritable = (uint)inheritable };
        data[1] = new Libc.CapData { Effective = (uint)(effective >> 32), Permitted = (uint)(permitted >> 32), Inheritable = (uint)(inheritable >> 32) };
        if (Libc.capset(&header, data) != 0) throw Fail("capset");
    }

    /// <summary>Adds one capability to the ambient set (it must be permitted and inheritable): kept across execve.</summary>
    public static void RaiseAmbientCapability(int capability)
    {
        if (Libc.prctl(Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_RAISE, (nuint)capability, 0, 0) != 0) throw Fail("prctl PR_CAP_AMBIENT_RAISE");
    }

    /// <summary>Empties the ambient set, so nothing is added back at execve (prctl(2) PR_CAP_AMBIENT).</summary>
    public static void ClearAmbientCapabilities()
    {
        if (Libc.prctl(Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) throw Fail("prctl PR_CAP_AMBIENT_CLEAR_ALL");
    }

    /// <summary>execve(2) can then never grant privileges (setuid bits, file capabilities): PR_SET_NO_NEW_PRIVS.</summary>
    public static void SetNoNewPrivileges()
    {
        if (Libc.prctl(Libc.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw Fail("prctl PR_SET_NO_NEW_PRIVS");
    }

    private static long BpfNumber => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 321 : 280;

    /// <summary>
    /// Loads a BPF_PROG_TYPE_CGROUP_DEVICE program (instructions as the kernel's struct bpf_insn, 8 bytes each) and
    /// attaches it to the cgroup directory with BPF_F_ALLOW_MULTI, as runc does; the attachment holds the program,
    /// so both descriptors are closed here, and the program goes when the cgroup is removed.
    /// </summary>
    public static void AttachDeviceProgram(ReadOnlySpan<byte> instructions, string cgroupDir)
    {
        byte[] license = "Apache-2.0\0"u8.ToArray(); // a licence only gates GPL-only helpers, and this program calls none
        int program;
        fixed (byte* insns = instructions)
        fixed (byte* licensePtr = license)
        {
            var load = new Libc.BpfProgLoadAttr
            {
                ProgType = Libc.BPF_PROG_TYPE_CGROUP_DEVICE, InsnCount = (uint)(instructions.Length / 8), Insns = (ulong)insns,
                License = (ulong)licensePtr, ExpectedAttachType = Libc.BPF_CGROUP_DEVICE,
            };
            program = (int)Libc.syscall_bpf(BpfNumber, Libc.BPF_PROG_LOAD, &load, (uint)sizeof(Libc.BpfProgLoadAttr));
            if (program < 0) throw new NativeException("bpf BPF_PROG_LOAD (device program)", cgroupDir, Marshal.GetLastPInvokeError());
        }
        try
        {
            int target = ProcessControl.OpenDirectory(cgroupDir);
            try
            {
                var attach = new Libc.BpfProgAttachAttr
                {
                    TargetFd = (uint)target, AttachBpfFd = (uint)program, AttachType = Libc.BPF_CGROUP_DEVICE, AttachFlags = Libc.BPF_F_ALLOW_MULTI,
                };
                if (Libc.syscall_bpf(BpfNumber, Libc.BPF_PROG_ATTACH, &attach, (uint)sizeof(Libc.BpfProgAttachAttr)) != 0)
                    throw new NativeException("bpf BPF_PROG_ATTACH BPF_CGROUP_DEVICE", cgroupDir, Marshal.GetLastPInvokeError());
            }
            finally
            {
                ProcessControl.Close(target);
            }
        }
        finally
        {
            ProcessControl.Close(program);
        }
    }

    /// <summary>
    /// PR_SET_DUMPABLE 0: the process's /proc/PID files become root's and ptrace(2) and /proc/PID/exe, fd, mem, environ
    /// need CAP_SYS_PTRACE (ptrace(2), "Ptrace access mode checking"). execve(2) sets it again for the new program.
    /// </summary>
    public static void SetNotDumpable()
    {
        if (Libc.prctl(Libc.PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) throw Fail("prctl PR_SET_DUMPABLE");
    }

    /// <summary>Names this thread (/proc/PID/comm, what ps shows), cut to 15 bytes (PR_SET_NAME).</summary>
    public static void SetThreadName(string name)
    {
        byte* buffer = stackalloc byte[16];
        int length = System.Text.Encoding.UTF8.GetBytes(name.AsSpan(0, Math.Min(name.Length, 15)), new Span<byte>(buffer, 15));
        buffer[length] = 0;
        Libc.prctl(Libc.PR_SET_NAME, (nuint)buffer, 0, 0, 0); // cosmetic: never fails on a valid pointer
    }

    /// <summary>
    /// Loads a classic BPF program (struct sock_filter[], as seccomp_export_bpf(3) writes it) as this thread's seccomp
    /// filter. Needs no_new_privs or CAP_SYS_ADMIN (seccomp(2)); the filter applies to this thread and survives execve.
    /// </summary>
    public static void LoadSeccompFilter(ReadOnlySpan<byte> program)
    {
        fixed (byte* instructions = program)
        {
            var fprog = new Libc.SockFprog { Length = (ushort)(program.Length / 8), Filter = instructions };
            if (Libc.prctl(Libc.PR_SET_SECCOMP, Libc.SECCOMP_MODE_FILTER, (nuint)(&fprog), 0, 0) != 0) throw Fail("prctl PR_SET_SECCOMP");
        }
    }

    /// <summary>
    /// Joins a new session keyring named <paramref name="name"/> (keyctl(2) KEYCTL_JOIN_SESSION_KEYRING), so the
    /// container does not share the host's; false when the kernel has no keys support (ENOSYS), as runc tolerates.
    /// </summary>
    public static bool JoinSessionKeyring(string name)
    {
        if (Libc.syscall_keyctl(Libc.KeyctlSyscall, Libc.KEYCTL_JOIN_SESSION_KEYRING, name) >= 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        return errno == Errnos.ENOSYS ? false : throw new NativeException("keyctl JOIN_SESSION_KEYRING", name, errno);
    }
}
