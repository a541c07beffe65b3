using System.Globalization;
using System.Text;

namespace MiniRun.Fixtures.Tar;

/// <summary>How <see cref="TarBuilder"/> stores what a plain ustar header cannot hold.</summary>
public enum TarBuilderFormat
{
    /// <summary>PAX 'x' records for long names, sub-second times and big ids (what Docker and Go's archive/tar write).</summary>
    Pax,
    /// <summary>GNU 'L'/'K' entries for long names and base-256 numbers for big ids (what GNU tar writes by default).</summary>
    Gnu,
}

/// <summary>
/// Builds tar archives in memory for tests, writing every header byte itself so it can also write hostile entries
/// (containerd's pkg/archive/tartest is the model). Names are written exactly as given: no cleaning, no checks.
/// <code>
/// byte[] tar = new TarBuilder()
///     .Directory("bin")
///     .File("bin/ping", "elf", mode: "4755").Xattr("security.capability", capabilityBlob)
///     .Symlink("bin/sh", "/bin/busybox")
///     .Whiteout("etc/motd")
///     .Opaque("var/cache")
///     .ToArray();
/// </code>
/// Methods return the builder; <see cref="Xattr(string, byte[])"/> applies to the entry added last.
/// </summary>
public sealed class TarBuilder
{
    /// <summary>The mtime of entries that do not give one (fixed, so archives and their digests are reproducible).</summary>
    public static readonly DateTimeOffset DefaultTime = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private const int BlockSize = 512;
    private const long MaxOctal7 = 0x1FFFFF; // 7 octal digits: the largest uid/gid/mode a classic header holds

    private readonly List<TarBuilderEntry> _entries = [];
    private readonly List<KeyValuePair<string, string>> _globalRecords = [];

    public TarBuilder(TarBuilderFormat format = TarBuilderFormat.Pax) => Format = format;

    public TarBuilderFormat Format { get; }

    /// <summary>Pad the archive to whole 10240-byte records, as tar(1) does (default true).</summary>
    public bool PadToRecord { get; init; } = true;

    public IReadOnlyList<TarBuilderEntry> Entries => _entries;

    public TarBuilder File(string name, byte[] content, string mode = "0644", long uid = 0, long gid = 0, DateTimeOffset? mtime = null) =>
        Add(new TarBuilderEntry(TarBuilderEntry.RegularFile, name)
            { Content = content, Mode = mode, Uid = uid, Gid = gid, ModifiedTime = mtime ?? DefaultTime });

    public TarBuilder File(string name, string content, string mode = "0644", long uid = 0, long gid = 0, DateTimeOffset? mtime = null) =>
        File(name, Encoding.UTF8.GetBytes(content), mode, uid, gid, mtime);

    public TarBuilder Directory(string name, string mode = "0755", long uid = 0, long gid = 0, DateTimeOffset? mtime = null) =>
        Add(new TarBuilderEntry(TarBuilderEntry.Directory, name) { Mode = mode, Uid = uid, Gid = gid, ModifiedTime = mtime ?? DefaultTime });

    public TarBuilder Symlink(string name, string target, long uid = 0, long gid = 0, DateTimeOffset? mtime = null) =>
        Add(new TarBuilderEntry(TarBuilderEntry.Symlink, name)
            { LinkName = target, Mode = "0777", Uid = uid, Gid = gid, ModifiedTime = mtime ?? DefaultTime });

    /// <summary>
    /// A hard link to <paramref name="target"/>, an earlier entry's name, with that entry's mode, owner and time as GNU
    /// tar and Docker write them (Docker applies a link's header to the shared inode); defaults when there is none.
    /// </summary>
    public TarBuilder HardLink(string name, string target)
    {
        TarBuilderEntry? earlier = _entries.LastOrDefault(e => e.Name == target || e.Name == target.TrimStart('/'));
        var link = new TarBuilderEntry(TarBuilderEntry.HardLink, name) { LinkName = target };
        return Add(earlier is null ? link : link with
        {
            Mode = earlier.Mode, Uid = earlier.Uid, Gid = earlier.Gid, UserName = earlier.UserName, GroupName = earlier.GroupName,
            ModifiedTime = earlier.ModifiedTime,
        });
    }

    public TarBuilder Fifo(string name, string mode = "0644", long uid = 0, long gid = 0) =>
        Add(new TarBuilderEntry(TarBuilderEntry.Fifo, name) { Mode = mode, Uid = uid, Gid = gid });

    public TarBuilder CharDevice(string name, uint major, uint minor, string mode = "0666", long uid = 0, long gid = 0) =>
        Add(new TarBuilderEntry(TarBuilderEntry.CharDevice, name) { DeviceMajor = major, DeviceMinor = minor, Mode = mode, Uid = uid, Gid = gid });

    public TarBuilder BlockDevice(string name, uint major, uint minor, string mode = "0660", long uid = 0, long gid = 0) =>
        Add(new TarBuilderEntry(TarBuilderEntry.BlockDevice, name) { DeviceMajor = major, DeviceMinor = minor, Mode = mode, Uid = uid, Gid = gid });

    /// <summary>An OCI whiteout: deletes <paramref name="path"/> from lower layers (written as "dir/.wh.name").</summary>
    public TarBuilder Whiteout(string path, long uid = 0, long gid = 0)
    {
        int slash = path.LastIndexOf('/');
        string name = slash < 0 ? ".wh." + path : path[..(slash + 1)] + ".wh." + path[(slash + 1)..];
        return Add(new TarBuilderEntry(TarBuilderEntry.RegularFile, name) { Uid = uid, Gid = gid });
    }

    /// <summary>An OCI opaque marker: <paramref name="directory"/> hides everything below it in lower layers.</summary>
    public TarBuilder Opaque(string directory) =>
        Add(new TarBuilderEntry(TarBuilderEntry.RegularFile, directory.TrimEnd('/') + "/.wh..wh..opq"));

    /// <summary>Any entry, exactly as given (for hostile and unusual archives).</summary>
    public TarBuilder Add(TarBuilderEntry entry)
    {
        _entries.Add(entry);
        return this;
    }

    /// <summary>Adds an extended attribute (raw bytes) to the entry added last.</summary>
    public TarBuilder Xattr(string name, byte[] value)
    {
        if (_entries.Count == 0) throw new InvalidOperationException("Xattr applies to the last entry; add one first");
        TarBuilderEntry last = _entries[^1];
        _entries[^1] = last with { Xattrs = [.. last.Xattrs, new(name, value)] };
        return this;
    }

    public TarBuilder Xattr(string name, string value) => Xattr(name, Encoding.UTF8.GetBytes(value));

    /// <summary>A PAX global ('g') record, written before all entries; it applies to every entry.</summary>
    public TarBuilder GlobalRecord(string key, string value)
    {
        _globalRecords.Add(new(key, value));
        return this;
    }

    public byte[] ToArray()
    {
        using var output = new MemoryStream();
        WriteTo(output);
        return output.ToArray();
    }

    public void WriteTo(Stream output)
    {
        long start = output.Position;
        if (_globalRecords.Count > 0)
            WriteData(output, Header('g', "pax_global_header", "", 0, 0, PaxRecords(_globalRecords).Length, DefaultTime, 0, 0, "0644"),
                PaxRecords(_globalRecords));
        foreach (TarBuilderEntry entry in _entries) WriteEntry(output, entry);
        output.Write(new byte[2 * BlockSize]);
        if (PadToRecord)
        {
            long length = output.Position - start;
            output.Write(new byte[(10240 - length % 10240) % 10240]);
        }
    }

    private void WriteEntry(Stream output, TarBuilderEntry e)
    {
        var pax = new List<KeyValuePair<string, string>>();
        var paxBinary = new List<KeyValuePair<string, byte[]>>();
        byte[] name = Encoding.UTF8.GetBytes(e.Name), link = Encoding.UTF8.GetBytes(e.LinkName);
        if (name.Length > 100)
        {
            if (Format == TarBuilderFormat.Pax) pax.Add(new("path", e.Name));
            else WriteData(output, Header('L', "././@LongLink", "", 0, 0, name.Length + 1, DefaultTime, 0, 0, "0644"), [.. name, 0]);
        }
        if (link.Length > 100)
        {
            if (Format == TarBuilderFormat.Pax) pax.Add(new("linkpath", e.LinkName));
            else WriteData(output, Header('K', "././@LongLink", "", 0, 0, link.Length + 1, DefaultTime, 0, 0, "0644"), [.. link, 0]);
        }
        if (Format == TarBuilderFormat.Pax)
        {
            if (e.Uid > MaxOctal7) pax.Add(new("uid", e.Uid.ToString(CultureInfo.InvariantCulture)));
            if (e.Gid > MaxOctal7) pax.Add(new("gid", e.Gid.ToString(CultureInfo.InvariantCulture)));
            long ticks = (e.ModifiedTime - DateTimeOffset.UnixEpoch).Ticks;
            if (ticks % TimeSpan.TicksPerSecond != 0)
                pax.Add(new("mtime", $"{Math.Floor((double)ticks / TimeSpan.TicksPerSecond):0}.{((ticks % TimeSpan.TicksPerSecond) + TimeSpan.TicksPerSecond) % TimeSpan.TicksPerSecond:0000000}"));
        }
        pax.AddRange(e.ExtraPaxRecords);
        foreach ((string key, byte[] value) in e.Xattrs) paxBinary.Add(new("SCHILY.xattr." + key, value));
        if (pax.Count > 0 || paxBinary.Count > 0)
        {
            byte[] records = [.. PaxRecords(pax), .. PaxRecords(paxBinary)];
            string paxName = "PaxHeaders/" + e.Name.TrimEnd('/');
            WriteData(output, Header('x', paxName.Length > 99 ? paxName[..99] : paxName, "", 0, 0, records.Length, DefaultTime, 0, 0, "0644"), records);
        }
        byte[] header = Header(e.Type, e.Name, e.LinkName, e.Uid, e.Gid, e.Content.Length, e.ModifiedTime, e.DeviceMajor, e.DeviceMinor, e.Mode,
            e.UserName, e.GroupName);
        WriteData(output, header, e.Content);
    }

    private static void WriteData(Stream output, byte[] header, byte[] data)
    {
        output.Write(header);
        output.Write(data);
        output.Write(new byte[(BlockSize - data.Length % BlockSize) % BlockSize]);
    }

    private byte[] Header(char type, string name, string linkName, long uid, long gid, long size, DateTimeOffset mtime,
        uint major, uint minor, string mode, string userName = "", string groupName = "")
    {
        byte[] h = new byte[BlockSize];
        Text(h, 0, 100, name);
        Number(h, 100, 8, Convert.ToInt64(mode, 8));
        Number(h, 108, 8, uid);
        Number(h, 116, 8, gid);
        Number(h, 124, 12, size);
        Number(h, 136, 12, Math.Max(0, mtime.ToUnixTimeSeconds()));
        h[156] = (byte)type;
        Text(h, 157, 100, linkName);
        if (Format == TarBuilderFormat.Pax) { Text(h, 257, 6, "ustar"); Text(h, 263, 2, "00"); }
        else { Text(h, 257, 8, "ustar  "); }
        Text(h, 265, 32, userName);
        Text(h, 297, 32, groupName);
        Number(h, 329, 8, major);
        Number(h, 337, 8, minor);
        h.AsSpan(148, 8).Fill((byte)' ');
        long sum = 0;
        foreach (byte b in h) sum += b;
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(h, 148);
        return h;
    }

    /// <summary>Octal text, or GNU base-256 when the value does not fit (the PAX format has already put it in a record).</summary>
    private static void Number(byte[] h, int offset, int width, long value)
    {
        string octal = Convert.ToString(value, 8);
        if (octal.Length <= width - 1 && value >= 0)
        {
            Encoding.ASCII.GetBytes(octal.PadLeft(width - 1, '0')).CopyTo(h, offset);
            return;
        }
        h.AsSpan(offset, width).Clear();
        for (int i = offset + width - 1; i > offset; i--, value >>= 8) h[i] = (byte)value;
        h[offset] = 0x80;
    }

    private static void Text(byte[] h, int offset, int width, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        bytes.AsSpan(0, Math.Min(width, bytes.Length)).CopyTo(h.AsSpan(offset));
    }

    private static byte[] PaxRecords(IEnumerable<KeyValuePair<string, string>> records) =>
        PaxRecords(records.Select(r => new KeyValuePair<string, byte[]>(r.Key, Encoding.UTF8.GetBytes(r.Value))));

    /// <summary>"LENGTH KEY=VALUE\n", where LENGTH counts its own digits too (pax(1) "extended header").</summary>
    private static byte[] PaxRecords(IEnumerable<KeyValuePair<string, byte[]>> records)
    {
        var output = new List<byte>();
        foreach ((string key, byte[] value) in records)
        {
            int rest = Encoding.UTF8.GetByteCount(key) + value.Length + 3; // ' ', '=', '\n'
            int length = rest + 1;
            while (length != rest + length.ToString(CultureInfo.InvariantCulture).Length) length = rest + length.ToString(CultureInfo.InvariantCulture).Length;
            output.AddRange(Encoding.UTF8.GetBytes(length.ToString(CultureInfo.InvariantCulture) + " " + key + "="));
            output.AddRange(value);
            output.Add((byte)'\n');
        }
        return [.. output];
    }
}
