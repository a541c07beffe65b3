using System.Buffers.Binary;

namespace MiniRun.Containers.Attach;

/// <summary>
/// What travels over a container's attach socket: frames of a kind byte, a length (u32, little-endian) and that many
/// bytes, as Docker's attach multiplexes stdout and stderr on its connection (an 8-byte header per frame there).
/// <code>
///   supervisor → client   'o' what the container wrote to stdout (all of a terminal's output), 'e' to stderr,
///                         'x' the end: its exit status (i32), then minirun's own error if it failed (UTF-8)
///   client → supervisor   'i' typed input, 'z' end of input, 'w' the window's size (rows, columns: u16 each),
///                         'k' a signal for PID 1 (i32: attach's --sig-proxy)
/// </code>
/// </summary>
internal static class AttachFrames
{
    public const byte Stdout = (byte)'o', Stderr = (byte)'e', Exit = (byte)'x',
        Input = (byte)'i', InputEnd = (byte)'z', Window = (byte)'w', Signal = (byte)'k';

    private const int HeaderSize = 5;
    /// <summary>No sender of ours makes a larger frame: a longer one is a broken peer.</summary>
    private const int MaxPayload = 1 << 20;

    public static void Append(ByteQueue queue, byte kind, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = [kind, 0, 0, 0, 0];
        BinaryPrimitives.WriteUInt32LittleEndian(header[1..], (uint)payload.Length);
        queue.Append(header);
        queue.Append(payload);
    }

    public static void AppendNumber(ByteQueue queue, byte kind, int value, string? text = null)
    {
        byte[] payload = new byte[4 + (text is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(text))];
        BinaryPrimitives.WriteInt32LittleEndian(payload, value);
        if (text is not null) System.Text.Encoding.UTF8.GetBytes(text, payload.AsSpan(4));
        Append(queue, kind, payload);
    }

    public static void AppendWindow(ByteQueue queue, ushort rows, ushort columns)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, rows);
        BinaryPrimitives.WriteUInt16LittleEndian(payload[2..], columns);
        Append(queue, Window, payload);
    }

    /// <summary>Takes the first complete frame off <paramref name="received"/>; false when none is complete yet.</summary>
    /// <exception cref="InvalidDataException">a frame longer than any sender of ours makes.</exception>
    public static bool TryTake(ByteQueue received, out byte kind, out byte[] payload)
    {
        kind = 0;
        payload = [];
        ReadOnlySpan<byte> pending = received.Pending;
        if (pending.Length < HeaderSize) return false;
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(pending[1..]);
        if (length > MaxPayload) throw new InvalidDataException($"an attach frame of {length} bytes");
        if (pending.Length < HeaderSize + (int)length) return false;
        kind = pending[0];
        payload = pending.Slice(HeaderSize, (int)length).ToArray();
        received.Consume(HeaderSize + (int)length);
        return true;
    }

    public static int Number(ReadOnlySpan<byte> payload) => payload.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(payload) : 0;

    public static (ushort Rows, ushort Columns) WindowOf(ReadOnlySpan<byte> payload) => payload.Length >= 4
        ? (BinaryPrimitives.ReadUInt16LittleEndian(payload), BinaryPrimitives.ReadUInt16LittleEndian(payload[2..]))
        : ((ushort)0, (ushort)0);
}
