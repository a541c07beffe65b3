using System.Buffers.Binary;

namespace MiniRun.Sandbox.Cgroups;

/// <summary>
/// One eBPF instruction, struct bpf_insn (Documentation/bpf/standardization/instruction-set.rst): an opcode byte,
/// destination and source registers in one byte (dst low nibble), a signed 16-bit offset and a signed 32-bit immediate.
/// Only the few a device program needs.
/// </summary>
public readonly record struct BpfInstruction(byte Opcode, byte Destination, byte Source, short Offset, int Immediate)
{
    public const int Size = 8;

    // Classes, operations and sources (linux/bpf_common.h, linux/bpf.h).
    private const byte Ldx = 0x01, Alu = 0x04, Jmp = 0x05;
    private const byte Mem = 0x60, Word = 0x00;
    private const byte And = 0x50, Rsh = 0x70, Mov = 0xb0;
    private const byte Jne = 0x50, ExitOp = 0x90;
    private const byte Immediate32 = 0x00, Register = 0x08;

    /// <summary>dst = *(u32 *)(src + offset)</summary>
    public static BpfInstruction LoadWord(byte dst, byte src, short offset) => new(Ldx | Mem | Word, dst, src, offset, 0);

    /// <summary>dst = (u32)dst &amp; imm</summary>
    public static BpfInstruction AndImmediate32(byte dst, int imm) => new(Alu | And | Immediate32, dst, 0, 0, imm);

    /// <summary>dst = (u32)dst &gt;&gt; imm</summary>
    public static BpfInstruction ShiftRightImmediate32(byte dst, int imm) => new(Alu | Rsh | Immediate32, dst, 0, 0, imm);

    /// <summary>dst = (u32)src</summary>
    public static BpfInstruction MoveRegister32(byte dst, byte src) => new(Alu | Mov | Register, dst, src, 0, 0);

    /// <summary>dst = (u32)imm</summary>
    public static BpfInstruction MoveImmediate32(byte dst, int imm) => new(Alu | Mov | Immediate32, dst, 0, 0, imm);

    /// <summary>if (dst != imm) skip <paramref name="offset"/> instructions</summary>
    public static BpfInstruction JumpIfNotEqualImmediate(byte dst, int imm, int offset) => new(Jmp | Jne | Immediate32, dst, 0, checked((short)offset), imm);

    /// <summary>if (dst != src) skip <paramref name="offset"/> instructions</summary>
    public static BpfInstruction JumpIfNotEqualRegister(byte dst, byte src, int offset) => new(Jmp | Jne | Register, dst, src, checked((short)offset), 0);

    /// <summary>return R0</summary>
    public static BpfInstruction Exit() => new(Jmp | ExitOp, 0, 0, 0, 0);

    public void WriteTo(Span<byte> destination)
    {
        destination[0] = Opcode;
        destination[1] = (byte)(Source << 4 | Destination & 0x0f);
        BinaryPrimitives.WriteInt16LittleEndian(destination[2..], Offset);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], Immediate);
    }
}
