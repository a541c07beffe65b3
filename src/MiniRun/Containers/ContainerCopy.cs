using System.Formats.Tar;
using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>
/// `cp`, both ways, as a tar stream in between (docker cp's own format, and what `cp -` reads and writes). Every path
/// inside the container is resolved inside its root (<see cref="InRootResolver"/>: a symbolic link there, absolute or
/// "..", stays in the container), and the tree below is walked and written one name at a time relative to open
/// directories, never following a link: a container that swaps a directory for a link to the host's / while the copy
/// runs (CVE-2018-15664) gets its own files copied, or an error, never the host's.
/// </summary>
public static class ContainerCopy
{
    /// <summary>
    /// A tar of <paramref name="path"/> inside <paramref name="root"/> (a directory's tree under its own name; with a
    /// trailing "/." only its contents, as docker cp reads it). A final symbolic link is copied as the link.
    /// </summary>
    public static void ToTar(string root, string path, Stream output)
    {
        using InRootResolver resolver = InRootResolver.Open(root);
        using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        if (path.EndsWith("/.", StringComparison.Ordinal))
        {
            using PathHandle dir = resolver.TryResolve(path[..^2]) ?? throw NotFound(path);
            if (!dir.Status().IsDirectory) throw new MiniRunException($"{path}: not a directory");
            AddChildren(tar, dir, prefix: "");
            return;
        }
        string trimmed = path.TrimEnd('/');
        string name = Path.GetFileName(trimmed);
        using PathHandle parent = resolver.TryResolve(Path.GetDirectoryName(trimmed) is { Length: > 0 } p ? p : "/") ?? throw NotFound(path);
        if (name.Length == 0)
        {
            Add(tar, parent, ".");
            return;
        }
        using NativeDirectory parentListing = parent.OpenDirectory();
        using PathHandle item = parentListing.TryOpenEntry(name) ?? throw NotFound(path);
        Add(tar, item, name);
    }

    private static void Add(TarWriter tar, PathHandle handle, string name)
    {
        FileStatus status = handle.Status();
        PaxTarEntry entry;
        if (status.IsDirectory) entry = new PaxTarEntry(TarEntryType.Directory, name + "/");
        else if (status.IsSymlink) entry = new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = handle.ReadLink() };
        else if (status.IsRegular) entry = new PaxTarEntry(TarEntryType.RegularFile, name);
        else if (status.Type == Syscalls.S_IFIFO) entry = new PaxTarEntry(TarEntryType.Fifo, name);
        else return; // device nodes and sockets are not copied
        entry.Mode = (UnixFileMode)status.Permissions;
        entry.Uid = (int)status.Uid;
        entry.Gid = (int)status.Gid;
        entry.ModificationTime = status.Modified;
        if (!status.IsRegular)
        {
            tar.WriteEntry(entry);
        }
        else
        {
            using var file = new FileStream(handle.OpenForReading(status), FileAccess.Read, bufferSize: 0);
            entry.DataStream = file;
            tar.WriteEntry(entry);
        }
        if (status.IsDirectory) AddChildren(tar, handle, name == "." ? "" : name + "/");
    }

    /// <summary>Each entry of the directory, opened relative to it (no link followed), named <paramref name="prefix"/> + its name.</summary>
    private static void AddChildren(TarWriter tar, PathHandle directory, string prefix)
    {
        using NativeDirectory listing = directory.OpenDirectory();
        foreach (DirectoryEntry child in listing.ReadEntries())
            using (PathHandle? childHandle = listing.TryOpenEntry(child.Name))
                if (childHandle is not null) Add(tar, childHandle, prefix + child.Name);
    }

    /// <summary>
    /// Where a copy to <paramref name="path"/> inside <paramref name="root"/> lands: into it when it is a directory,
    /// else as it, in its parent directory (which must exist); resolved inside the root.
    /// </summary>
    public static (DirectoryWriter Directory, string? Rename) Target(string root, string path, bool mustBeDirectory)
    {
        using InRootResolver resolver = InRootResolver.Open(root);
        using (PathHandle? existing = resolver.TryResolve(path))
            if (existing is not null && existing.Status().IsDirectory) return (DirectoryWriter.From(existing, path), null);
        if (mustBeDirectory) throw new MiniRunException($"{path}: not a directory (a tar stream is copied into a directory)");
        string trimmed = path.TrimEnd('/');
        using PathHandle parent = resolver.TryResolve(Path.GetDirectoryName(trimmed) is { Length: > 0 } p ? p : "/")
                                  ?? throw new NotFoundException($"{Path.GetDirectoryName(trimmed)}: no such directory");
        if (!parent.Status().IsDirectory) throw new MiniRunException($"{Path.GetDirectoryName(trimmed)}: not a directory");
        return (DirectoryWriter.From(parent, Path.GetDirectoryName(trimmed)!), Path.GetFileName(trimmed));
    }

    /// <summary>
    /// Writes a tar's entries below <paramref name="top"/>, each name one component at a time (".." and absolute
    /// names refused, a link on the way refused). <paramref name="rename"/>: the first component's new name.
    /// With <paramref name="keepOwners"/> (cp -a) the entries keep their UID and GID, else they are root's.
    /// </summary>
    public static void FromTar(Stream input, DirectoryWriter top, string? rename, bool keepOwners)
    {
        using var tar = new TarReader(input, leaveOpen: true);
        while (tar.GetNextEntry() is { } entry)
        {
            List<string> parts = entry.Name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
            if (parts.Contains("..")) throw new MiniRunException($"the archive's {entry.Name}: a name with \"..\" is refused");
            if (parts.Count == 0)
            {
                if (entry.EntryType == TarEntryType.Directory && rename is null) continue; // "./": the target itself
                if (rename is null) continue;
                parts = [rename];
            }
            else if (rename is not null) parts[0] = rename;
            var opened = new List<DirectoryWriter>();
            try
            {
                DirectoryWriter dir = top;
                for (int i = 0; i < parts.Count - 1; i++)
                {
                    dir = dir.Directory(parts[i], 0x1ed);
                    opened.Add(dir);
                }
                Write(dir, parts[^1], entry, keepOwners);
            }
            finally
            {
                foreach (DirectoryWriter dir in opened) dir.Dispose();
            }
        }
    }

    private static void Write(DirectoryWriter dir, string name, TarEntry entry, bool keepOwners)
    {
        var mode = (UnixFileMode)((uint)entry.Mode & 0xFFF);
        int uid = keepOwners ? entry.Uid : 0, gid = keepOwners ? entry.Gid : 0;
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                using (DirectoryWriter made = dir.Directory(name, 0x1ed))
                {
                    dir.ChangeOwner(name, uid, gid);
                    made.ChangeMode((uint)mode);
                }
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                using (var file = new FileStream(dir.NewFile(name), FileAccess.Write, bufferSize: 0))
                {
                    entry.DataStream?.CopyTo(file);
                    DirectoryWriter.SetOwnerAndMode(file.SafeFileHandle, uid, gid, (uint)mode);
                }
                break;
            case TarEntryType.SymbolicLink:
                dir.Symlink(name, entry.LinkName);
                dir.ChangeOwner(name, uid, gid);
                break;
            default:
                return; // hard links, devices and fifos are left out
        }
    }

    private static NotFoundException NotFound(string path) => new($"Could not find the file {path} in container");
}
