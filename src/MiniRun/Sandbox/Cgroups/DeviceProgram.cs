using MiniRun.Native;

namespace MiniRun.Sandbox.Cgroups;

/// <summary>
/// Device access on cgroup v2, which has no devices controller: a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the
/// container's group, made from the same <see cref="DeviceRule"/> list the v1 controller is given, as runc's
/// libcontainer/cgroups/devices/devicefilter.go makes it. The kernel runs it on every mknod and open of a device node
/// with a struct bpf_cgroup_dev_ctx { u32 access_type (type in the low 16 bits: block 1, char 2; access in the high
/// 16: mknod 1, read 2, write 4); u32 major; u32 minor; } and denies the access when it returns 0.
/// </summary>
public static class DeviceProgram
{
    public const int BlockType = 1, CharType = 2;
    public const int MknodAccess = 1, ReadAccess = 2, WriteAccess = 4;

    /// <summary>The program as struct bpf_insn records (8 bytes each, little-endian), ready for BPF_PROG_LOAD.</summary>
    /// <remarks>
    /// The last "a" rule sets the default answer; the rules after it are checked last first, each returning its own
    /// answer on a match, so a later rule overrides an earlier one as in the v1 list (deny all, then allows).
    /// </remarks>
    public static byte[] Build(IReadOnlyList<DeviceRule> rules)
    {
        int start = 0;
        bool defaultAllow = false;
        for (int i = 0; i < rules.Count; i++)
            if (rules[i].Type == 'a') (start, defaultAllow) = (i + 1, rules[i].Allow);
        var program = new List<BpfInstruction>
        {
            // R2 = type, R3 = access, R4 = major, R5 = minor (runc's prologue).
            BpfInstruction.LoadWord(2, 1, 0), BpfInstruction.AndImmediate32(2, 0xFFFF),
            BpfInstruction.LoadWord(3, 1, 0), BpfInstruction.ShiftRightImmediate32(3, 16),
            BpfInstruction.LoadWord(4, 1, 4),
            BpfInstruction.LoadWord(5, 1, 8),
        };
        for (int i = rules.Count - 1; i >= start; i--) AppendRule(program, rules[i]);
        program.AddRange(Return(defaultAllow));
        var bytes = new byte[program.Count * BpfInstruction.Size];
        for (int i = 0; i < program.Count; i++) program[i].WriteTo(bytes.AsSpan(i * BpfInstruction.Size));
        return bytes;
    }

    /// <summary>One rule as a block: every check that fails jumps past the block, to the next rule's first instruction.</summary>
    private static void AppendRule(List<BpfInstruction> program, DeviceRule rule)
    {
        int access = AccessBits(rule.Access);
        bool anyAccess = access == (MknodAccess | ReadAccess | WriteAccess);
        int length = 1 + (anyAccess ? 0 : 3) + (rule.Major is null ? 0 : 1) + (rule.Minor is null ? 0 : 1) + 2;
        int next = program.Count + length; // the index of the next block's first instruction
        int JumpTo(int target) => target - (program.Count + 1); // a jump's offset counts from the instruction after it
        program.Add(BpfInstruction.JumpIfNotEqualImmediate(2, rule.Type == 'b' ? BlockType : CharType, JumpTo(next)));
        if (!anyAccess)
        {
            // The access asked for must be within the rule's: (R3 & access) == R3, with R1 (the context, no longer needed) as scratch.
            program.Add(BpfInstruction.MoveRegister32(1, 3));
            program.Add(BpfInstruction.AndImmediate32(1, access));
            program.Add(BpfInstruction.JumpIfNotEqualRegister(1, 3, JumpTo(next)));
        }
        if (rule.Major is { } major) program.Add(BpfInstruction.JumpIfNotEqualImmediate(4, checked((int)major), JumpTo(next)));
        if (rule.Minor is { } minor) program.Add(BpfInstruction.JumpIfNotEqualImmediate(5, checked((int)minor), JumpTo(next)));
        program.AddRange(Return(rule.Allow));
    }

    private static BpfInstruction[] Return(bool allow) => [BpfInstruction.MoveImmediate32(0, allow ? 1 : 0), BpfInstruction.Exit()];

    private static int AccessBits(string access)
    {
        int bits = 0;
        foreach (char c in access)
            bits |= c switch
            {
                'm' => MknodAccess,
                'r' => ReadAccess,
                'w' => WriteAccess,
                _ => throw new MiniRunException($"device rule access \"{access}\": use r, w and m"),
            };
        return bits;
    }

    /// <summary>Loads the program for <paramref name="rules"/> and attaches it to <paramref name="cgroupDir"/>.</summary>
    public static void Attach(ISyscalls sys, string cgroupDir, IReadOnlyList<DeviceRule> rules)
    {
        sys.Explain("cgroup v2 has no devices controller: a BPF program the kernel runs on each mknod and open of a device node allows the " +
                    "standard nodes only (no shell tool attaches one; runc and crun do the same)");
        sys.AttachDeviceProgram(Build(rules), cgroupDir, Describe(rules));
    }

    /// <summary>The rules as the v1 devices.allow/deny lines they would be: "deny a; allow c *:* m; …".</summary>
    public static string Describe(IReadOnlyList<DeviceRule> rules) =>
        string.Join("; ", rules.Select(r => (r.Allow ? "allow " : "deny ") + r.ToV1Line()));
}
