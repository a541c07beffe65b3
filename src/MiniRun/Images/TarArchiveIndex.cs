using System.Formats.Tar;
using Microsoft.Win32.SafeHandles;

namespace MiniRun.Images;

/// <summary>
/// A tar archive (docker save, oci-archive) indexed once, member name → (data offset, length), so that blobs are
/// read in place as sub-streams of the file instead of being extracted first. Only regular files (and links to them)
/// are members; positional reads (pread) make the streams independent of each other.
/// </summary>
public sealed class TarArchiveIndex : BlobSource
{
    private const int MaxMembers = 1_000_000;
    private const int MaxLinkDepth = 8;

    private readonly SafeFileHandle _file;
    private readonly Dictionary<string, (long Offset, long Length)> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
    private readonly string _displayName;

    public override string Description => $"archive \"{_displayName}\"";

    public IEnumerable<string> Names => _members.Keys.Concat(_links.Keys);

    public TarArchiveIndex(string path, string? displayName = null)
        : this(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read), displayName ?? path)
    {
    }

    /// <summary>An archive already open (<c>load &lt; x.tar</c>: stdin is the file); disposed with this index.</summary>
    public TarArchiveIndex(SafeFileHandle file, string displayName)
    {
        _displayName = displayName;
        _file = file;
        try
        {
            Index(RandomAccess.GetLength(_file));
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    private void Index(long fileLength)
    {
        // pread through a window of the whole file: a FileStream made on _file would close it when disposed.
        using var stream = new BufferedStream(new FileSegmentStream(_file, 0, fileLength), 1 << 16);
        int count = 0;
        try
        {
            using var reader = new TarReader(stream, leaveOpen: true);
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                if (++count > MaxMembers) throw new InvalidInputException($"{Description}: more than {MaxMembers} members, refused");
                if (Normalize(entry.Name) is not { } name) continue;
                switch (entry.EntryType)
                {
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        if (entry.DataOffset < 0 || entry.DataOffset + entry.Length > fileLength)
                            throw new InvalidInputException($"{Description}: truncated (member {name} ends past the end of the file)");
                        _members[name] = (entry.DataOffset, entry.Length);
                        _links.Remove(name);
                        break;
                    // moby tarexport (Docker ≤24) saves a repeated layer as a symlink to the first copy.
                    case TarEntryType.SymbolicLink:
                        if (ResolveLink(Path.GetDirectoryName(name) ?? "", entry.LinkName) is { } target) _links[name] = target;
                        break;
                    case TarEntryType.HardLink:
                        if (Normalize(entry.LinkName) is { } hardTarget) _links[name] = hardTarget;
                        break;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException)
        {
            // Unreadable from its first header on: no tar at all (a random file), not a damaged one.
            string what = count == 0 ? "is not a tar archive" : $"is not a readable tar archive, or is cut short ({UserMessages.Detail(e)})";
            throw new InvalidInputException($"{Description} {what}: "
                + "load takes what docker save writes, or an OCI image layout (a directory or its tar); a root filesystem tar goes to `minirun import`");
        }
    }

    /// <summary>A symlink target taken relative to its directory, ".." collapsed; null when it leaves the archive.</summary>
    internal static string? ResolveLink(string directory, string target)
    {
        var parts = new List<string>();
        if (!target.StartsWith('/')) parts.AddRange(directory.Split('/', StringSplitOptions.RemoveEmptyEntries));
        foreach (string part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part != "..") parts.Add(part);
            else if (parts.Count == 0) return null;
            else parts.RemoveAt(parts.Count - 1);
        }
        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    public override bool Contains(string name) => Find(name) is not null;

    public override long Length(string name) => (Find(name) ?? throw Missing(name)).Length;

    public override Stream Open(string name)
    {
        (long offset, long length) = Find(name) ?? throw Missing(name);
        return new FileSegmentStream(_file, offset, length);
    }

    private (long Offset, long Length)? Find(string name)
    {
        if (Normalize(name) is not { } key) return null;
        for (int depth = 0; depth <= MaxLinkDepth; depth++)
        {
            if (_members.TryGetValue(key, out var member)) return member;
            if (!_links.TryGetValue(key, out string? target)) return null;
            key = target;
        }
        return null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _file.Dispose();
    }
}
