using System.Text;

namespace MiniRun.Layers;

/// <summary>
/// A streaming, forward-only tar reader: ustar, GNU (long names 'L'/'K', base-256 numbers) and PAX ('x' per entry,
/// 'g' global) headers, with checksums verified. Entry data is read in chunks straight out of one reusable buffer,
/// so large files are never held whole. After the end-of-archive marker the input is read to its very end, so a
/// <see cref="HashingStream"/> wrapping it covers every byte. Malformed or truncated input is an
/// <see cref="InvalidInputException"/> naming the source and the entry.
/// </summary>
public sealed class TarArchiveReader : IDisposable
{
    private const int BlockSize = 512;
    private const int BufferSize = 256 * 1024;
    private const int MaxMetadataSize = 16 * 1024 * 1024; // PAX/GNU long-name data is buffered: bound it
    private const string XattrPrefix = "SCHILY.xattr.";

    private readonly Stream _stream;
    private readonly string _source;
    private readonly bool _leaveOpen;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _start, _end;
    private long _dataRemaining, _paddingRemaining;
    private bool _finished;
    private string _lastName = "";
    /// <summary>Whether a valid header has been seen: before one, bad bytes mean the input is no tar at all (a random file).</summary>
    private bool _sawHeader;
    private Dictionary<string, byte[]>? _global;
    private readonly TarSplitWriter? _split;
    /// <summary>Where the bytes consumed but not yet given to <see cref="_split"/> start in the buffer.</summary>
    private int _rawStart;

    /// <param name="split">receives every byte that is not file data, and a mark for each file's data (for `save`).</param>
    public TarArchiveReader(Stream stream, string source, bool leaveOpen = false, TarSplitWriter? split = null)
    {
        _stream = stream;
        _source = source;
        _leaveOpen = leaveOpen;
        _split = split;
    }

    /// <summary>The next entry, or null at the end of the archive (the input has then been read to its end).</summary>
    public TarEntry? ReadNextEntry()
    {
        SkipData();
        if (_finished) return null;
        Dictionary<string, byte[]>? pax = null;
        string? longName = null, longLink = null;
        while (true)
        {
            if (!Fill(BlockSize))
            {
                // A clean end without the zero blocks is accepted (as Go's archive/tar does); a partial header is not.
                if (_end == _start && pax is null && longName is null && longLink is null) return Finish();
                if (!_sawHeader) throw NotATar("shorter than one tar header");
                throw Truncated();
            }
            ReadOnlySpan<byte> header = _buffer.AsSpan(_start, BlockSize);
            if (header.IndexOfAnyExcept((byte)0) < 0)
            {
                _start += BlockSize;
                return Finish();
            }
            if (!TarFields.ChecksumMatches(header)) throw _sawHeader ? Malformed("header checksum mismatch") : NotATar("it does not start with a tar header");
            _sawHeader = true;
            byte type = header[156];
            long size = Number(header.Slice(124, 12), "size");
            switch (type)
            {
                case (byte)'x' or (byte)'X':
                    pax ??= new Dictionary<string, byte[]>(StringComparer.Ordinal);
                    if (!TarFields.TryParsePaxRecords(ReadMetadata(size), pax)) throw Malformed("malformed PAX header");
                    continue;
                case (byte)'g':
                    _global ??= new Dictionary<string, byte[]>(StringComparer.Ordinal);
                    if (!TarFields.TryParsePaxRecords(ReadMetadata(size), _global)) throw Malformed("malformed PAX global header");
                    continue;
                case (byte)'L':
                    longName = TarFields.ReadString(ReadMetadata(size));
                    continue;
                case (byte)'K':
                    longLink = TarFields.ReadString(ReadMetadata(size));
                    continue;
                case (byte)'V':
                    _start += BlockSize; // GNU volume label: no file, its size is not data
                    continue;
                case (byte)'S':
                    throw Malformed("GNU sparse files are not supported");
            }
            TarEntry entry = BuildEntry(header, type, size, pax, longName, longLink);
            _start += BlockSize;
            if (_split is not null && entry.Size > 0)
            {
                EmitRaw();
                _split.Data(entry.Name, entry.Size);
            }
            _lastName = entry.Name;
            _dataRemaining = entry.Size;
            _paddingRemaining = (BlockSize - entry.Size % BlockSize) % BlockSize;
            return entry;
        }
    }

    /// <summary>
    /// The next piece of the current entry's data, straight from the read buffer (valid until the next call).
    /// Returns false when the entry's data is exhausted.
    /// </summary>
    public bool TryReadDataChunk(out ReadOnlySpan<byte> chunk) => TryReadDataChunk(out chunk, int.MaxValue);

    /// <summary>Copies the rest of the current entry's data to <paramref name="destination"/>.</summary>
    public void CopyDataTo(Stream destination)
    {
        while (TryReadDataChunk(out ReadOnlySpan<byte> chunk)) destination.Write(chunk);
    }

    /// <summary>A read-only stream over the rest of the current entry's data, valid until the next entry is read.</summary>
    public Stream OpenData() => new TarEntryDataStream(this);

    internal int ReadData(Span<byte> destination)
    {
        if (destination.IsEmpty || !TryReadDataChunk(out ReadOnlySpan<byte> chunk, destination.Length)) return 0;
        chunk.CopyTo(destination);
        return chunk.Length;
    }

    private bool TryReadDataChunk(out ReadOnlySpan<byte> chunk, int max)
    {
        chunk = default;
        if (_dataRemaining == 0) return false;
        if (_start == _end && !Fill(1)) throw Truncated();
        int n = (int)Math.Min(Math.Min(_end - _start, _dataRemaining), max);
        chunk = _buffer.AsSpan(_start, n);
        _start += n;
        _rawStart = _start; // file data is not recorded in the split
        _dataRemaining -= n;
        return true;
    }

    private TarEntry BuildEntry(ReadOnlySpan<byte> h, byte type, long size,
        Dictionary<string, byte[]>? pax, string? longName, string? longLink)
    {
        bool ustar = h.Slice(257, 6).SequenceEqual("ustar\0"u8);
        string name = longName ?? Path(h, ustar);
        string link = longLink ?? TarFields.ReadString(h.Slice(157, 100));
        long uid = Number(h.Slice(108, 8), "uid"), gid = Number(h.Slice(116, 8), "gid");
        var mtime = new TarTimestamp(Number(h.Slice(136, 12), "mtime"), 0);
        string uname = "", gname = "";
        if (ustar || h.Slice(257, 6).SequenceEqual("ustar "u8))
        {
            uname = TarFields.ReadString(h.Slice(265, 32));
            gname = TarFields.ReadString(h.Slice(297, 32));
        }
        long major = Number(h.Slice(329, 8), "devmajor"), minor = Number(h.Slice(337, 8), "devminor");
        List<TarXattr>? xattrs = null;

        // Global records first, then the entry's own ones override them (pax(1): "x" overrides "g").
        foreach (Dictionary<string, byte[]>? records in (ReadOnlySpan<Dictionary<string, byte[]>?>)[_global, pax])
        {
            if (records is null) continue;
            foreach ((string key, byte[] value) in records)
            {
                switch (key)
                {
                    case "path": if (value.Length > 0) name = Encoding.UTF8.GetString(value); break;
                    case "linkpath": if (value.Length > 0) link = Encoding.UTF8.GetString(value); break;
                    case "size": size = PaxNumber(value, key); break;
                    case "uid": uid = PaxNumber(value, key); break;
                    case "gid": gid = PaxNumber(value, key); break;
                    case "uname": uname = Encoding.UTF8.GetString(value); break;
                    case "gname": gname = Encoding.UTF8.GetString(value); break;
                    case "SCHILY.devmajor": major = PaxNumber(value, key); break;
                    case "SCHILY.devminor": minor = PaxNumber(value, key); break;
                    case "mtime":
                        if (!TarFields.TryParsePaxTime(value, out mtime)) throw Malformed($"PAX mtime is not a number", name);
                        break;
                    default:
                        if (key.StartsWith(XattrPrefix, StringComparison.Ordinal) && key.Length > XattrPrefix.Length)
                        {
                            xattrs ??= [];
                            string attr = key[XattrPrefix.Length..];
                            xattrs.RemoveAll(x => x.Name == attr);
                            xattrs.Add(new TarXattr(attr, value));
                        }
                        else if (key.StartsWith("GNU.sparse.", StringComparison.Ordinal))
                            throw Malformed("GNU sparse files are not supported", name);
                        break;
                }
            }
        }

        var entryType = (TarEntryType)type;
        if (type is 0 or (byte)'7') entryType = TarEntryType.RegularFile; // '\0' is old-tar regular, '7' contiguous
        if (type == 0 && name.EndsWith('/')) entryType = TarEntryType.Directory; // V7 marked directories by a slash
        // Only regular files carry data; other types' size fields are ignored (as Go's archive/tar does).
        if (entryType != TarEntryType.RegularFile && type is >= (byte)'1' and <= (byte)'6') size = 0;
        if (size < 0) throw Malformed("negative size", name);
        if (uid < 0 || gid < 0 || major is < 0 or > uint.MaxValue || minor is < 0 or > uint.MaxValue)
            throw Malformed("negative or oversized owner or device number", name);

        return new TarEntry
        {
            Name = name, Type = entryType, LinkName = link, Mode = (uint)(Number(h.Slice(100, 8), "mode") & 0xFFF),
            Uid = uid, Gid = gid, UserName = uname, GroupName = gname, Size = size, ModifiedTime = mtime,
            DeviceMajor = (uint)major, DeviceMinor = (uint)minor, Xattrs = xattrs is null ? [] : xattrs,
        };
    }

    private static string Path(ReadOnlySpan<byte> h, bool ustar)
    {
        string name = TarFields.ReadString(h[..100]);
        if (!ustar || h[345] == 0) return name; // GNU headers keep atime/ctime where ustar has its prefix
        return TarFields.ReadString(h.Slice(345, 155)) + "/" + name;
    }

    private long Number(ReadOnlySpan<byte> field, string what) =>
        TarFields.TryParseNumber(field, out long value) ? value : throw Malformed($"header field {what} is not a number");

    private long PaxNumber(byte[] value, string key) =>
        TarFields.TryParseDecimal(value, out long n) ? n : throw Malformed($"PAX {key} is not a number");

    /// <summary>The data of a metadata entry (PAX records, GNU long name), consumed with its padding.</summary>
    private ReadOnlySpan<byte> ReadMetadata(long size)
    {
        if (size is < 0 or > MaxMetadataSize) throw Malformed($"extended header of {size} bytes");
        _start += BlockSize;
        int padded = (int)((size + BlockSize - 1) / BlockSize * BlockSize);
        byte[] data = new byte[size];
        int copied = 0;
        while (copied < padded)
        {
            if (_start == _end && !Fill(1)) throw Truncated();
            int n = Math.Min(_end - _start, padded - copied);
            if (copied < size) _buffer.AsSpan(_start, (int)Math.Min(n, size - copied)).CopyTo(data.AsSpan(copied));
            copied += n;
            _start += n;
        }
        return data;
    }

    private void SkipData()
    {
        while (_dataRemaining > 0) TryReadDataChunk(out _);
        while (_paddingRemaining > 0)
        {
            if (_start == _end && !Fill(1)) throw Truncated();
            int n = (int)Math.Min(_end - _start, _paddingRemaining);
            _start += n;
            _paddingRemaining -= n;
        }
    }

    /// <summary>End of archive: read whatever follows (record padding) so that the whole input has been consumed.</summary>
    private TarEntry? Finish()
    {
        _finished = true;
        _split?.Raw(_buffer.AsSpan(_rawStart, _end - _rawStart));
        _start = _end = _rawStart = 0;
        for (int n; (n = _stream.Read(_buffer)) > 0;) _split?.Raw(_buffer.AsSpan(0, n));
        return null;
    }

    /// <summary>Hands the bytes consumed since the last call to the split (headers, PAX records, padding).</summary>
    private void EmitRaw()
    {
        _split?.Raw(_buffer.AsSpan(_rawStart, _start - _rawStart));
        _rawStart = _start;
    }

    /// <summary>Makes at least <paramref name="count"/> bytes available from _start; false at end of input.</summary>
    private bool Fill(int count)
    {
        if (_end - _start >= count) return true;
        if (_start > 0)
        {
            EmitRaw();
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = _rawStart = 0;
        }
        while (_end < count)
        {
            int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0) return false;
            _end += n;
        }
        return true;
    }

    private InvalidInputException Truncated() =>
        new($"{_source}: tar archive is truncated {(_lastName.Length == 0 ? "in its first entry" : $"after or in entry \"{_lastName}\"")}");

    private InvalidInputException NotATar(string why) =>
        new($"{_source}: not a tar archive ({why}); give a tar file, plain or compressed with gzip, zstd or xz");

    private InvalidInputException Malformed(string what, string? entry = null) =>
        new($"{_source}: {what} in tar entry {(entry is not null ? $"\"{entry}\"" : _lastName.Length == 0 ? "#1" : $"after \"{_lastName}\"")}");

    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }
}
