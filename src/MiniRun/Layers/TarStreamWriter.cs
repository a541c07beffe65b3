using System.Globalization;
using System.Text;

namespace MiniRun.Layers;

/// <summary>One entry to write: the POSIX ustar fields (type flag as in tar(5)) and xattrs as raw bytes.</summary>
public sealed record TarHeader(string Name, char Type, uint Mode, long Uid, long Gid, long Size, long ModifiedSeconds)
{
    public string LinkName { get; init; } = "";
    public uint DevMajor { get; init; }
    public uint DevMinor { get; init; }
    public IReadOnlyList<(string Name, byte[] Value)> Xattrs { get; init; } = [];
}

/// <summary>
/// Writes a tar stream: ustar headers, with a PAX extended header (POSIX.1-2001 pax(1)) when a name, link name, size
/// or ID does not fit, or for xattrs. System.Formats.Tar's TarWriter takes xattr values as strings and writes them as
/// UTF-8, which corrupts binary ones such as security.capability; here a PAX record's value is the bytes themselves,
/// as GNU tar and Go's archive/tar write them. The output is deterministic: same entries, same bytes.
/// </summary>
public sealed class TarStreamWriter(Stream output)
{
    private const int Block = 512;
    private const long MaxOctal11 = 0x1FFFFFFFF; // 8 GiB - 1: the largest size in 11 octal digits
    private const long MaxOctal7 = 0x1FFFFF;     // 2097151: the largest ID in 7 octal digits

    public void Write(TarHeader header, Stream? content = null)
    {
        var pax = new List<(string, byte[])>();
        byte[] name = Encoding.UTF8.GetBytes(header.Name);
        byte[] link = Encoding.UTF8.GetBytes(header.LinkName);
        (byte[] prefix, byte[] shortName) = Split(name);
        if (shortName.Length == 0 || !IsAscii(name)) { pax.Add(("path", name)); (prefix, shortName) = ([], Truncate(name, 100)); }
        if (link.Length > 100 || !IsAscii(link)) { pax.Add(("linkpath", link)); link = Truncate(link, 100); }
        if (header.Size > MaxOctal11) pax.Add(("size", Ascii(header.Size)));
        if (header.Uid > MaxOctal7) pax.Add(("uid", Ascii(header.Uid)));
        if (header.Gid > MaxOctal7) pax.Add(("gid", Ascii(header.Gid)));
        foreach ((string key, byte[] value) in header.Xattrs) pax.Add(("SCHILY.xattr." + key, value));
        if (pax.Count > 0)
        {
            byte[] records = PaxRecords(pax);
            string paxName = "PaxHeaders.0/" + Path.GetFileName(header.Name.TrimEnd('/'));
            WriteHeader(Truncate(Encoding.UTF8.GetBytes(paxName), 100), [], 'x', 0x1A4, 0, 0, records.Length, header.ModifiedSeconds, [], 0, 0);
            WritePadded(new MemoryStream(records), records.Length);
        }
        WriteHeader(shortName, prefix, header.Type, header.Mode, Math.Min(header.Uid, MaxOctal7), Math.Min(header.Gid, MaxOctal7),
            Math.Min(header.Size, MaxOctal11), header.ModifiedSeconds, link, header.DevMajor, header.DevMinor);
        if (header.Size > 0) WritePadded(content ?? throw new ArgumentNullException(nameof(content)), header.Size);
    }

    /// <summary>The end of the archive: two zero blocks (tar(5)).</summary>
    public void Finish()
    {
        output.Write(new byte[Block * 2]);
        output.Flush();
    }

    private void WriteHeader(byte[] name, byte[] prefix, char type, uint mode, long uid, long gid, long size, long mtime, byte[] link,
        uint devMajor, uint devMinor)
    {
        byte[] h = new byte[Block];
        name.CopyTo(h, 0);
        Octal(h, 100, 8, mode & 0xFFF);
        Octal(h, 108, 8, uid);
        Octal(h, 116, 8, gid);
        Octal(h, 124, 12, size);
        Octal(h, 136, 12, Math.Max(0, mtime));
        h[156] = (byte)type;
        link.CopyTo(h, 157);
        "ustar\u000000"u8.CopyTo(h.AsSpan(257));
        if (type is '3' or '4')
        {
            Octal(h, 329, 8, devMajor);
            Octal(h, 337, 8, devMinor);
        }
        prefix.CopyTo(h, 345);
        "        "u8.CopyTo(h.AsSpan(148)); // the checksum counts its own field as spaces
        int sum = h.Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0')).CopyTo(h, 148);
        h[154] = 0;
        h[155] = (byte)' ';
        output.Write(h);
    }

    private void WritePadded(Stream content, long size)
    {
        byte[] buffer = new byte[81920];
        long left = size;
        while (left > 0)
        {
            int n = content.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0) throw new IOException($"a file shrank while it was archived ({left} bytes missing)");
            output.Write(buffer, 0, n);
            left -= n;
        }
        int padding = (int)((Block - size % Block) % Block);
        if (padding > 0) output.Write(new byte[padding]);
    }

    /// <summary>ustar splits a long name at a '/' into prefix (155) and name (100); an empty name means it does not fit.</summary>
    private static (byte[] Prefix, byte[] Name) Split(byte[] name)
    {
        if (name.Length <= 100) return ([], name);
        for (int i = Math.Min(name.Length - 1, 155); i > 0; i--)
            if (name[i] == '/' && name.Length - i - 1 <= 100 && name.Length - i - 1 > 0)
                return (name[..i], name[(i + 1)..]);
        return ([], []);
    }

    private static byte[] PaxRecords(List<(string Key, byte[] Value)> records)
    {
        var result = new MemoryStream();
        foreach ((string key, byte[] value) in records)
        {
            int body = Encoding.UTF8.GetByteCount(key) + value.Length + 3; // ' ', '=', '\n'
            int length = body + 1;
            while (length != body + length.ToString(CultureInfo.InvariantCulture).Length)
                length = body + length.ToString(CultureInfo.InvariantCulture).Length;
            result.Write(Encoding.UTF8.GetBytes($"{length} {key}="));
            result.Write(value);
            result.WriteByte((byte)'\n');
        }
        return result.ToArray();
    }

    private static void Octal(byte[] h, int offset, int width, long value) =>
        Encoding.ASCII.GetBytes(Convert.ToString(value, 8).PadLeft(width - 1, '0')).CopyTo(h, offset);

    private static byte[] Ascii(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
    private static bool IsAscii(byte[] bytes) => bytes.All(b => b < 0x80);
    private static byte[] Truncate(byte[] bytes, int max) => bytes.Length <= max ? bytes : bytes[..max];
}
