using MiniRun.Common;
using MiniRun.Native;

namespace MiniRun.Layers;

/// <summary>
/// A directory tree → a tar stream, in ordinal name order (so the same tree always gives the same bytes): owners,
/// modes, times (whole seconds), xattrs, hard links, symlinks and devices. With <c>layerWhiteouts</c> the tree is an
/// overlay upper dir and its whiteouts are written back in OCI form (image-spec layer.md "Whiteouts"): a 0/0
/// character device NAME becomes an empty file <c>.wh.NAME</c>, a directory with trusted.overlay.opaque=y gets a
/// <c>.wh..wh..opq</c> entry, as moby's overlay driver does when it commits. Sockets cannot be archived and are skipped.
/// The tree may be a running container's (commit, export): it is walked one name at a time from open descriptors and
/// each entry is pinned (O_PATH, no symlink followed) before it is looked at, so what the container renames meanwhile
/// can change which of its own files is archived, never make the host read one of its own.
/// </summary>
public sealed class DirectoryArchiver(bool layerWhiteouts)
{
    private readonly Dictionary<(ulong Device, ulong Inode), string> _firstLinks = [];

    /// <summary>Writes every entry below <paramref name="root"/> (not root itself) and the end-of-archive blocks.</summary>
    public void Write(string root, Stream output)
    {
        var tar = new TarStreamWriter(output);
        using (NativeDirectory dir = NativeDirectory.Open(root)) WriteChildren(dir, "", tar);
        tar.Finish();
    }

    /// <summary>
    /// Writes only the entries <paramref name="changes"/> names below <paramref name="root"/> (a directory without its
    /// contents), and a whiteout <c>.wh.NAME</c> for each deleted one: a tree's changes against the one below it, as
    /// moby's naive diff driver exports them (pkg/archive ExportChanges). Parents come before their contents.
    /// </summary>
    public void WriteChanges(string root, IEnumerable<(string Path, bool Deleted)> changes, Stream output)
    {
        var tar = new TarStreamWriter(output);
        using InRootResolver tree = InRootResolver.Open(root);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach ((string path, bool deleted) in changes)
        {
            string relative = path.TrimStart('/');
            if (deleted)
            {
                int slash = relative.LastIndexOf('/');
                tar.Write(new TarHeader(relative[..(slash + 1)] + Whiteouts.Prefix + relative[(slash + 1)..], '0', 0, 0, 0, 0, now));
                continue;
            }
            using PathHandle? entry = tree.TryOpenEntry(relative);
            if (entry is null) continue; // removed since it was compared
            FileStatus status = entry.Status();
            if (Header(entry, relative, status) is not { } header) continue;
            if (header.Type == '0' && header.Size > 0)
            {
                using var content = new FileStream(entry.OpenForReading(status), FileAccess.Read, 1);
                tar.Write(header, content);
            }
            else tar.Write(header);
        }
        tar.Finish();
    }

    private void WriteChildren(NativeDirectory directory, string relative, TarStreamWriter tar)
    {
        List<DirectoryEntry> entries = directory.ReadEntries();
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (DirectoryEntry child in entries)
        {
            string name = child.Name;
            using PathHandle? entry = directory.TryOpenEntry(name);
            if (entry is null) continue; // removed since it was listed
            FileStatus status = entry.Status();
            string entryName = relative + name;
            if (layerWhiteouts && status.IsWhiteout)
            {
                tar.Write(new TarHeader(relative + Whiteouts.Prefix + name, '0', 0, status.Uid, status.Gid, 0, Seconds(status)));
                continue;
            }
            TarHeader? header = Header(entry, entryName, status);
            if (header is null) continue;
            if (header.Type == '0' && header.Size > 0)
            {
                using var content = new FileStream(entry.OpenForReading(status), FileAccess.Read, 1);
                tar.Write(header, content);
            }
            else tar.Write(header);
            if (!status.IsDirectory) continue;
            if (layerWhiteouts && IsOpaque(entry, status))
                tar.Write(new TarHeader(entryName + "/" + Whiteouts.OpaqueMarker, '0', status.Permissions, status.Uid, status.Gid, 0, Seconds(status)));
            using NativeDirectory subdirectory = entry.OpenDirectory();
            WriteChildren(subdirectory, entryName + "/", tar);
        }
    }

    private TarHeader? Header(PathHandle entry, string entryName, FileStatus status)
    {
        var xattrs = Xattrs(entry, status);
        long mtime = Seconds(status);
        switch (status.Type)
        {
            case Syscalls.S_IFDIR:
                return new TarHeader(entryName + "/", '5', status.Permissions, status.Uid, status.Gid, 0, mtime) { Xattrs = xattrs };
            case Syscalls.S_IFREG:
                if (status.LinkCount > 1)
                {
                    if (_firstLinks.TryGetValue((status.Device, status.Inode), out string? first))
                        return new TarHeader(entryName, '1', status.Permissions, status.Uid, status.Gid, 0, mtime) { LinkName = first, Xattrs = xattrs };
                    _firstLinks[(status.Device, status.Inode)] = entryName;
                }
                return new TarHeader(entryName, '0', status.Permissions, status.Uid, status.Gid, status.Size, mtime) { Xattrs = xattrs };
            case Syscalls.S_IFLNK:
                return new TarHeader(entryName, '2', status.Permissions, status.Uid, status.Gid, 0, mtime) { LinkName = entry.ReadLink(), Xattrs = xattrs };
            case Syscalls.S_IFCHR or Syscalls.S_IFBLK:
                return new TarHeader(entryName, status.Type == Syscalls.S_IFCHR ? '3' : '4', status.Permissions, status.Uid, status.Gid, 0, mtime)
                    { DevMajor = status.RdevMajor, DevMinor = status.RdevMinor, Xattrs = xattrs };
            case Syscalls.S_IFIFO:
                return new TarHeader(entryName, '6', status.Permissions, status.Uid, status.Gid, 0, mtime) { Xattrs = xattrs };
            default:
                return null; // a socket: tar has no type for it (GNU tar and moby skip them too)
        }
    }

    /// <summary>Every xattr but overlayfs's own bookkeeping (trusted.overlay.*, or user.overlay.* with userxattr: overlayfs(5)), values as bytes.</summary>
    private static List<(string, byte[])> Xattrs(PathHandle entry, FileStatus status)
    {
        var result = new List<(string, byte[])>();
        foreach (string name in entry.ListXattrs(status))
        {
            if (name.StartsWith(RootlessMode.TrustedOverlayPrefix, StringComparison.Ordinal) || name.StartsWith(RootlessMode.UserOverlayPrefix, StringComparison.Ordinal)) continue;
            if (entry.GetXattr(status, name) is { } value) result.Add((name, value));
        }
        return result;
    }

    private static bool IsOpaque(PathHandle entry, FileStatus status) =>
        entry.GetXattr(status, Whiteouts.OpaqueXattr) is { } value && value.AsSpan().SequenceEqual(Whiteouts.OpaqueValue);

    private static long Seconds(FileStatus status) => status.Modified.ToUnixTimeSeconds();
}
