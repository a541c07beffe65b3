using System.Text;

namespace MiniRun.Layers;

/// <summary>
/// Decoders for the fields of a 512-byte tar header and of PAX extended header records (POSIX.1-2001 pax(1),
/// GNU tar manual "Basic Tar Format"). Each returns false on malformed input; the reader turns that into a message.
/// </summary>
internal static class TarFields
{
    public const int ChecksumOffset = 148, ChecksumLength = 8;

    /// <summary>A numeric field: octal text padded with spaces or NULs, or GNU base-256 (first byte has bit 7 set).</summary>
    public static bool TryParseNumber(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        if (field.Length > 0 && (field[0] & 0x80) != 0) return TryParseBase256(field, out value);
        int i = 0;
        while (i < field.Length && (field[i] == (byte)' ' || field[i] == 0)) i++;
        for (; i < field.Length; i++)
        {
            byte c = field[i];
            if (c == (byte)' ' || c == 0) break;
            if (c < (byte)'0' || c > (byte)'7') return false;
            if (value > (long.MaxValue >> 3)) return false;
            value = (value << 3) | (long)(c - '0');
        }
        for (; i < field.Length; i++)
            if (field[i] != (byte)' ' && field[i] != 0) return false;
        return true;
    }

    /// <summary>GNU base-256: 0x80 then big-endian magnitude, or 0xff and a two's-complement negative number.</summary>
    private static bool TryParseBase256(ReadOnlySpan<byte> field, out long value)
    {
        bool negative = field[0] == 0xff;
        ulong magnitude = negative ? 0xffUL : (ulong)(field[0] & 0x7f);
        for (int i = 1; i < field.Length; i++)
        {
            if (!negative && magnitude > (ulong.MaxValue >> 8)) { value = 0; return false; }
            magnitude = (magnitude << 8) | field[i];
        }
        value = (long)magnitude;
        if (!negative && value < 0) return false;
        return true;
    }

    /// <summary>Header checksum: the sum of all 512 bytes with the checksum field taken as spaces, unsigned or (old tars) signed.</summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> header)
    {
        if (!TryParseNumber(header.Slice(ChecksumOffset, ChecksumLength), out long stored)) return false;
        long unsignedSum = 0, signedSum = 0;
        for (int i = 0; i < header.Length; i++)
        {
            byte b = i is >= ChecksumOffset and < ChecksumOffset + ChecksumLength ? (byte)' ' : header[i];
            unsignedSum += b;
            signedSum += (sbyte)b;
        }
        return stored == unsignedSum || stored == signedSum;
    }

    /// <summary>A NUL-terminated (or full-width) text field, decoded as UTF-8.</summary>
    public static string ReadString(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        if (end >= 0) field = field[..end];
        return field.IsEmpty ? "" : Encoding.UTF8.GetString(field);
    }

    /// <summary>
    /// PAX records "LENGTH KEYWORD=VALUE\n", LENGTH counting the whole record. Values stay bytes: SCHILY.xattr values
    /// are binary (security.capability) and must not go through a text decoder.
    /// </summary>
    public static bool TryParsePaxRecords(ReadOnlySpan<byte> data, Dictionary<string, byte[]> into)
    {
        while (!data.IsEmpty)
        {
            if (data[0] == 0) return data.IndexOfAnyExcept((byte)0) < 0; // NUL padding after the last record
            int space = data.IndexOf((byte)' ');
            if (space <= 0 || !TryParseDecimal(data[..space], out long length) || length <= space + 1 || length > data.Length)
                return false;
            ReadOnlySpan<byte> record = data[(space + 1)..(int)length];
            if (record[^1] != (byte)'\n') return false;
            record = record[..^1];
            int equals = record.IndexOf((byte)'=');
            if (equals <= 0) return false;
            into[Encoding.UTF8.GetString(record[..equals])] = record[(equals + 1)..].ToArray();
            data = data[(int)length..];
        }
        return true;
    }

    public static bool TryParseDecimal(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty) return false;
        foreach (byte c in text)
        {
            if (c < (byte)'0' || c > (byte)'9' || value > (long.MaxValue - 9) / 10) return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }

    /// <summary>A PAX time "[-]SECONDS[.FRACTION]" (pax(1) "mtime"); digits past nanoseconds are dropped.</summary>
    public static bool TryParsePaxTime(ReadOnlySpan<byte> text, out TarTimestamp time)
    {
        time = default;
        bool negative = !text.IsEmpty && text[0] == (byte)'-';
        if (negative) text = text[1..];
        int dot = text.IndexOf((byte)'.');
        ReadOnlySpan<byte> whole = dot < 0 ? text : text[..dot];
        ReadOnlySpan<byte> fraction = dot < 0 ? default : text[(dot + 1)..];
        if (!TryParseDecimal(whole, out long seconds)) return false;
        long nanos = 0;
        for (int i = 0; i < 9; i++)
        {
            byte c = i < fraction.Length ? fraction[i] : (byte)'0';
            if (c < (byte)'0' || c > (byte)'9') return false;
            nanos = nanos * 10 + (c - '0');
        }
        for (int i = 9; i < fraction.Length; i++)
            if (fraction[i] < (byte)'0' || fraction[i] > (byte)'9') return false;
        if (negative)
        {
            seconds = -seconds;
            if (nanos > 0) { seconds--; nanos = 1_000_000_000 - nanos; }
        }
        time = new TarTimestamp(seconds, (int)nanos);
        return true;
    }
}
