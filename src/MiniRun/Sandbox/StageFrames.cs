using System.Buffers.Binary;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>The framing of the stage channel's longer messages (the spec, the fifo's path): an optional tag byte, a u32 length (little-endian), the bytes.</summary>
internal static class StageFrames
{
    public static byte[] Frame(ReadOnlySpan<byte> payload, byte? tag = null)
    {
        int start = tag is null ? 0 : 1;
        byte[] message = new byte[start + 4 + payload.Length];
        if (tag is { } t) message[0] = t;
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(start), payload.Length);
        payload.CopyTo(message.AsSpan(start + 4));
        return message;
    }

    /// <summary>The next frame's bytes (its tag already read), or null when the channel ends before it begins.</summary>
    public static byte[]? Read(int fd, string what)
    {
        if (ProcessControl.ReadExactly(fd, 4) is not { } length) return null;
        return ProcessControl.ReadExactly(fd, BinaryPrimitives.ReadInt32LittleEndian(length)) ?? throw new MiniRunException($"init: {what} is cut short");
    }
}
