using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Sandbox;

/// <summary>The cgroup v2 device program, instruction by instruction, against runc's devicefilter.go output.</summary>
public class DeviceProgramTests
{
    private static string Hex(byte[] program) =>
        string.Join(' ', Enumerable.Range(0, program.Length / BpfInstruction.Size).Select(i => Convert.ToHexString(program, i * 8, 8).ToLowerInvariant()));

    // R2 = type, R3 = access, R4 = major, R5 = minor: the context's three u32 fields.
    private const string Prologue = "6112000000000000 54020000ffff0000 6113000000000000 7403000010000000 6114040000000000 6115080000000000";

    [Fact]
    public void Encode_Instructions_AreStructBpfInsnLittleEndian()
    {
        var bytes = new byte[8];
        BpfInstruction.JumpIfNotEqualImmediate(4, 136, 2).WriteTo(bytes);
        Assert.Equal("5504020088000000", Convert.ToHexString(bytes).ToLowerInvariant()); // code, src<<4|dst, off (LE), imm (LE)
        BpfInstruction.JumpIfNotEqualRegister(1, 3, -1).WriteTo(bytes);
        Assert.Equal("5d31ffff00000000", Convert.ToHexString(bytes).ToLowerInvariant());
        BpfInstruction.Exit().WriteTo(bytes);
        Assert.Equal("9500000000000000", Convert.ToHexString(bytes).ToLowerInvariant());
    }

    [Fact]
    public void Build_AllowAll_IsThePrologueThenReturnOne()
    {
        Assert.Equal(Prologue + " b400000001000000 9500000000000000", Hex(DeviceProgram.Build(DeviceRule.AllowAll())));
    }

    [Fact]
    public void Build_DenyAllThenOneNode_ChecksTypeMajorMinorThenDenies()
    {
        byte[] program = DeviceProgram.Build([new(false, 'a', null, null, "rwm"), new(true, 'c', 1, 3, "rwm")]);

        Assert.Equal(Prologue +
                     " 5502040002000000" +   // if type != char: skip 4, to the default
                     " 5504030001000000" +   // if major != 1: skip 3
                     " 5505020003000000" +   // if minor != 3: skip 2
                     " b400000001000000 9500000000000000" + // allow
                     " b400000000000000 9500000000000000",  // default: deny
            Hex(program));
    }

    [Fact]
    public void Build_AccessSubset_MasksTheRequestedAccess()
    {
        // "c *:* m": mknod of any character device, nothing more: (access & m) must equal access.
        byte[] program = DeviceProgram.Build([new(false, 'a', null, null, "rwm"), new(true, 'c', null, null, "m")]);

        Assert.Equal(Prologue +
                     " 5502050002000000 bc31000000000000 5401000001000000 5d31020000000000" +
                     " b400000001000000 9500000000000000 b400000000000000 9500000000000000",
            Hex(program));
    }

    [Fact]
    public void Build_DockerDefaults_OneBlockPerAllowRuleLastFirst()
    {
        byte[] program = DeviceProgram.Build(DeviceRule.DockerDefaults());
        string hex = Hex(program);

        // 6 prologue, 11 rule blocks (c 136:* is 4, the two mknod rules 6, the eight single nodes 5), 2 for the default.
        Assert.Equal(6 + 4 + 8 * 5 + 2 * 6 + 2, program.Length / BpfInstruction.Size);
        Assert.StartsWith(Prologue + " 5502030002000000 5504020088000000 b400000001000000 9500000000000000", hex); // c 136:* rwm first
        Assert.EndsWith("b400000000000000 9500000000000000", hex); // then deny
    }

    [Fact]
    public void Build_ALaterRuleOverridesAnEarlierOne()
    {
        // allow c 1:3, then deny it again: the deny is checked first.
        byte[] program = DeviceProgram.Build([new(false, 'a', null, null, "rwm"), new(true, 'c', 1, 3, "rwm"), new(false, 'c', 1, 3, "rwm")]);

        Assert.Equal(6 + 5 + 5 + 2, program.Length / BpfInstruction.Size);
        Assert.Equal("b400000000000000", Hex(program).Split(' ')[6 + 3]); // the first block (the later rule) answers 0
    }
}
