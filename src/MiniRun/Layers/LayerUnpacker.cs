using MiniRun.Common;
using MiniRun.Native;

namespace MiniRun.Layers;

/// <summary>
/// Unpacks one layer tar into a directory the way an image unpacker must (OCI image-spec layer.md, moby's overlay2):
/// every entry type, owners, modes with setuid/setgid/sticky, binary xattrs, nanosecond times, whiteouts turned into
/// their overlay form, and directory modes and times applied after the whole layer, deepest first. It takes what
/// Docker takes, and places it where Docker does, which unpacks inside a chroot of the layer directory: names are
/// cleaned as if joined to "/" (<see cref="SafePath"/>), and every name, hard link target and symlink on the way is
/// resolved inside the target (<see cref="InRootTree"/>, openat2 RESOLVE_IN_ROOT), so nothing can be written outside
/// it; only what cannot be placed inside is refused. Modes are set explicitly, so the process umask does not matter.
/// </summary>
public sealed class LayerUnpacker
{
    private const uint DefaultDirectoryMode = 0x1ED; // 0755, for parents the archive does not list (as moby does)
    private const uint PrivateDirectoryMode = 0x1C0; // 0700 until the directory's own mode is applied at the end

    private readonly string _root;
    private readonly string _source;
    /// <summary>By real path below the root: a directory reached through a symlink is recorded where it is.</summary>
    private readonly Dictionary<string, TarEntry> _deferredDirectories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UnpackedFile> _files = new(StringComparer.Ordinal);
    /// <summary>Every entry's name as Go cleans it (<see cref="SafePath.CleanAsGo"/>): a layer may name a path once.</summary>
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly (int Uid, int Gid)? _newFileOwner;
    private long _size;
    private InRootTree? _tree;

    /// <param name="targetDirectory">An existing, empty directory that receives the layer's files.</param>
    /// <param name="source">Names the input in error messages ("alpine.tar layer 1").</param>
    /// <param name="sys">the seam the whiteout conversions go through (--explain shows them as mknod and setfattr).</param>
    /// <param name="ontoTree">the target holds the full tree of the layers below and the layer is applied onto it, as
    /// image-spec layer.md "Applying Changesets" says and moby's vfs and btrfs drivers do: a whiteout deletes, an
    /// opaque marker empties the directory of what the layers below put there; nothing is left in overlay form.</param>
    public LayerUnpacker(string targetDirectory, string source, ISyscalls? sys = null, bool ontoTree = false)
    {
        _ontoTree = ontoTree;
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(targetDirectory));
        _source = source;
        _sys = sys ?? LinuxSyscalls.Instance;
        // Who owns a file as it is created: this process, as long as no directory it lands in is setgid; none is
        // until the directory modes are applied at the end, unless the target itself is (and then its new subdirectories).
        _newFileOwner = (Syscalls.LStat(_root).Permissions & Syscalls.S_ISGID) == 0 ? Syscalls.EffectiveIds : null;
    }

    private readonly ISyscalls _sys;
    private readonly bool _ontoTree;

    /// <summary>
    /// After <see cref="Unpack"/>: each regular file's status and content hash by its path relative to the target (what
    /// <see cref="LayerTreeDigest"/> needs, so that publishing neither reads nor stats the files again).
    /// </summary>
    public IReadOnlyDictionary<string, UnpackedFile> Files => _files;

    /// <summary>
    /// Unpacks the uncompressed tar <paramref name="tar"/>, reading it to its end (on a second thread, see
    /// <see cref="PrefetchingTarReader"/>); returns the bytes of regular files. <paramref name="split"/>, when given,
    /// records the tar less its file data, so that `save` can give back the very same tar.
    /// </summary>
    public long Unpack(Stream tar, TarSplitWriter? split = null)
    {
        using var reader = new PrefetchingTarReader(tar, _source, split);
        using InRootTree tree = _tree = InRootTree.Open(_root);
        try
        {
            while (reader.ReadNextEntry() is { } entry)
            {
                try
                {
                    Apply(entry, reader);
                }
                catch (NativeException e)
                {
                    throw new MiniRunException($"{_source}: tar entry \"{entry.Name}\": {e.Message}", e);
                }
            }
            ApplyDirectoryMetadata();
            return _size;
        }
        finally
        {
            _tree = null;
        }
    }

    private void Apply(TarEntry entry, PrefetchingTarReader reader)
    {
        _tree!.ReleaseForgotten();
        if (!SafePath.TryNormalize(entry.Name, out string relative, out string problem)) throw Refuse(entry, problem);
        // A clean name is its own Go-cleaned form ("" for "."); only names with "/" or ".." in odd places need cleaning.
        string key = entry.Name.StartsWith('/') || entry.Name.Contains("..", StringComparison.Ordinal) ? SafePath.CleanAsGo(entry.Name) : relative;
        if (!_names.Add(key)) throw Refuse(entry, "it names a path an earlier entry named (Docker refuses duplicate paths in a layer too)");
        if (relative.Length == 0)
        {
            if (entry.Type != TarEntryType.Directory) throw Refuse(entry, "it names the layer root but is not a directory");
            ApplyDirectory(entry, _tree.Root, ".");
            return;
        }
        // AUFS keeps hard-link sources and bookkeeping under top-level .wh..wh.* directories (moby skips them too).
        if (relative.StartsWith(Whiteouts.MetaPrefix, StringComparison.Ordinal) && relative != Whiteouts.OpaqueMarker) return;
        string name = SafePath.FileName(relative);
        switch (Whiteouts.Classify(name, out string hidden))
        {
            case WhiteoutKind.AufsMetadata:
                return;
            case WhiteoutKind.Opaque when _ontoTree:
                EmptyForOpaque(ParentOf(entry, relative), SafePath.Parent(relative));
                return;
            case WhiteoutKind.Opaque:
                InRootDirectory opaque = ParentOf(entry, relative);
                _sys.Explain($"{relative}: an opaque directory in overlay form; it hides the directory's contents in the layers below");
                _sys.SetXattr(opaque.RealPath, Whiteouts.OpaqueXattr, Whiteouts.OpaqueValue);
                return;
            case WhiteoutKind.Whiteout:
                if (!Whiteouts.IsValidHiddenName(hidden)) throw Refuse(entry, $"a whiteout must name a sibling, not \"{hidden}\"");
                if (_ontoTree) DeleteForWhiteout(ParentOf(entry, relative), Child(SafePath.Parent(relative), hidden));
                else ApplyWhiteout(entry, ParentOf(entry, relative), hidden);
                return;
        }

        InRootDirectory parent = ParentOf(entry, relative);
        try { Create(entry, parent, name, reader); }
        catch (NativeException e) when (e.Errno == Errnos.EINVAL && e.Call.Contains("chown", StringComparison.Ordinal) && RootlessMode.Active)
        {
            // chown(2) EINVAL: an ID the user namespace does not map (user_namespaces(7)).
            throw new MiniRunException($"{entry.Name} is owned by {entry.Uid}:{entry.Gid}, outside the IDs of this rootless user namespace " +
                $"(uid_map {MapText("/proc/self/uid_map")}; gid_map {MapText("/proc/self/gid_map")}): give the user a larger range in /etc/subuid and /etc/subgid");
        }
    }

    private static string MapText(string path) =>
        string.Join(", ", File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))));

    private void Create(TarEntry entry, InRootDirectory parent, string name, PrefetchingTarReader reader)
    {
        switch (entry.Type)
        {
            case TarEntryType.RegularFile: WriteRegularFile(entry, parent, name, reader); break;
            case TarEntryType.Directory: ApplyDirectory(entry, parent, name); break;
            case TarEntryType.SymbolicLink: CreateSymlink(entry, parent, name); break;
            case TarEntryType.HardLink: CreateHardLink(entry, parent, name); break;
            case TarEntryType.Fifo: CreateNode(entry, parent, name, Syscalls.S_IFIFO); break;
            case TarEntryType.CharacterDevice: CreateNode(entry, parent, name, Syscalls.S_IFCHR); break;
            case TarEntryType.BlockDevice: CreateNode(entry, parent, name, Syscalls.S_IFBLK); break;
            default: throw Refuse(entry, $"unsupported entry type '{(char)entry.Type}'");
        }
    }

    private void WriteRegularFile(TarEntry entry, InRootDirectory parent, string name, PrefetchingTarReader reader)
    {
        NativeFile? file = parent.TryCreateFile(name, 0x180); // 0600 while being written
        if (file is null)
        {
            RemoveExisting(parent, name);
            file = parent.TryCreateFile(name, 0x180) ?? throw new NativeException("open", parent.RealPath + "/" + name, Errnos.EEXIST);
        }
        using (file)
        {
            while (reader.TryReadDataChunk(out ReadOnlySpan<byte> chunk)) file.Write(chunk);
            _size += entry.Size;
            // chown clears setuid/setgid and security.capability, so it comes first (chown(2), capabilities(7)); on a
            // new 0600 file without xattrs a chown to its owner changes nothing, and most files of an image are root's.
            (int uid, int gid) = (Owner(entry.Uid), Owner(entry.Gid));
            if (_newFileOwner != (uid, gid)) file.ChangeOwner(uid, gid);
            file.ChangeMode(entry.Mode);
            foreach (TarXattr xattr in entry.Xattrs)
                if (!IsOverlayXattr(xattr)) file.SetXattr(xattr.Name, xattr.Value);
            file.SetTimes(entry.ModifiedTime.Seconds, entry.ModifiedTime.Nanoseconds);
            _files[parent.RealRelativeOf(name)] = new UnpackedFile(file.Status(), reader.ContentDigest!);
        }
    }

    /// <summary>Creates or keeps (dir over dir) a directory; its mode and times wait for the end of the layer.</summary>
    private void ApplyDirectory(TarEntry entry, InRootDirectory parent, string name)
    {
        if (name != "." && !parent.TryMakeDirectory(name, PrivateDirectoryMode) && parent.TryLStat(name) is not { IsDirectory: true })
        {
            RemoveExisting(parent, name);
            if (!parent.TryMakeDirectory(name, PrivateDirectoryMode)) throw new NativeException("mkdir", parent.RealPath + "/" + name, Errnos.EEXIST);
        }
        parent.ChangeOwner(name, Owner(entry.Uid), Owner(entry.Gid));
        SetXattrs(parent, name, entry);
        _deferredDirectories[parent.RealRelativeOf(name)] = entry;
    }

    private void CreateSymlink(TarEntry entry, InRootDirectory parent, string name)
    {
        if (entry.LinkName.Length == 0 || entry.LinkName.Contains('\0')) throw Refuse(entry, "symlink has no valid target");
        // The target is stored, never resolved here: "/bin/busybox" is normal in images, and whatever it says, it is
        // only ever followed inside the layer root (by this unpacker) or inside a container's root.
        if (!parent.TrySymlink(entry.LinkName, name))
        {
            RemoveExisting(parent, name);
            if (!parent.TrySymlink(entry.LinkName, name)) throw new NativeException("symlink", parent.RealPath + "/" + name, Errnos.EEXIST);
        }
        // A symlink's size is its target's length (lstat(2)): Docker's layer size counts it, so `images` agrees.
        _size += System.Text.Encoding.UTF8.GetByteCount(entry.LinkName);
        parent.ChangeOwner(name, Owner(entry.Uid), Owner(entry.Gid));
        SetXattrs(parent, name, entry);
        parent.SetTimes(name, entry.ModifiedTime.Seconds, entry.ModifiedTime.Nanoseconds);
    }

    /// <summary>
    /// A hard link to an earlier entry of this layer, sharing its inode. The target is a name in the layer, as GNU tar
    /// and Docker take it: "/usr/bin/perl" is the layer's usr/bin/perl.
    /// </summary>
    private void CreateHardLink(TarEntry entry, InRootDirectory parent, string name)
    {
        if (!SafePath.TryNormalize(entry.LinkName, out string target, out string problem))
            throw Refuse(entry, $"hard link target \"{entry.LinkName}\": {problem}");
        if (target.Length == 0) throw Refuse(entry, "hard link to the layer root");
        string targetName = SafePath.FileName(target);
        InRootDirectory? targetParent = _tree!.TryOpenDirectory(SafePath.Parent(target));
        FileStatus? status = targetParent?.TryLStat(targetName);
        if (status is null) throw Refuse(entry, $"hard link target \"{entry.LinkName}\" is not in this layer");
        if (status.IsDirectory) throw Refuse(entry, $"hard link target \"{entry.LinkName}\" is a directory");
        string real = parent.RealRelativeOf(name), targetReal = targetParent!.RealRelativeOf(targetName);
        // Docker removes the old entry first, so a link to itself finds no target (by its own name it is a duplicate).
        if (real == targetReal) throw Refuse(entry, $"hard link to itself (\"{entry.LinkName}\")");
        if (!parent.TryHardLink(targetParent, targetName, name))
        {
            RemoveExisting(parent, name);
            if (!parent.TryHardLink(targetParent, targetName, name)) throw new NativeException("link", parent.RealPath + "/" + name, Errnos.EEXIST);
        }
        // Docker gives the shared inode the link's own owner, xattrs and (unless it is a symlink) mode and mtime. GNU tar
        // and Docker write both headers alike, so this seldom changes anything; when it does, the file's record is stale.
        (int uid, int gid) = (Owner(entry.Uid), Owner(entry.Gid));
        if (status.Uid != (uint)uid || status.Gid != (uint)gid || entry.Xattrs.Count > 0 ||
            !status.IsSymlink && (status.Permissions != entry.Mode || status.Modified != entry.ModifiedTime.ToDateTimeOffset()))
        {
            parent.ChangeOwner(name, uid, gid);
            SetXattrs(parent, name, entry);
            if (!status.IsSymlink)
            {
                parent.ChangeMode(name, entry.Mode);
                parent.SetTimes(name, entry.ModifiedTime.Seconds, entry.ModifiedTime.Nanoseconds);
            }
            _files.Remove(targetReal);
            _files.Remove(real);
            return;
        }
        // The same inode, so the same record (a missing one only means the tree digest looks at the file itself).
        if (_files.TryGetValue(targetReal, out UnpackedFile? file)) _files[real] = file;
        else _files.Remove(real);
    }

    private void CreateNode(TarEntry entry, InRootDirectory parent, string name, uint type)
    {
        if (type != Syscalls.S_IFIFO && RootlessMode.Active)
        {
            // mknod(2) of a device needs CAP_MKNOD in the initial user namespace; rootless Podman skips them too.
            _sys.Explain($"{entry.Name}: a device node, skipped: a rootless user namespace cannot make one (the container's /dev has the usual devices bound in)");
            return;
        }
        if (!parent.TryMakeNode(name, type | entry.Mode, entry.DeviceMajor, entry.DeviceMinor))
        {
            RemoveExisting(parent, name);
            if (!parent.TryMakeNode(name, type | entry.Mode, entry.DeviceMajor, entry.DeviceMinor))
                throw new NativeException("mknod", parent.RealPath + "/" + name, Errnos.EEXIST);
        }
        parent.ChangeOwner(name, Owner(entry.Uid), Owner(entry.Gid));
        parent.ChangeMode(name, entry.Mode); // mknod(2) applies the umask; chmod after chown keeps setuid bits
        SetXattrs(parent, name, entry);
        parent.SetTimes(name, entry.ModifiedTime.Seconds, entry.ModifiedTime.Nanoseconds);
    }

    /// <summary>
    /// <c>.wh.NAME</c> becomes a character device 0/0 named NAME owned by the entry's owner (moby overlay2). A whiteout
    /// hides lower layers only, so when this layer already has NAME, that entry stays. The seam gets the directory's
    /// real path (no symlink on it), so --explain shows the mknod.
    /// </summary>
    private void ApplyWhiteout(TarEntry entry, InRootDirectory parent, string hidden)
    {
        _sys.Explain($"{entry.Name}: a whiteout in overlay form, a 0/0 character device; it hides {parent.RealRelativeOf(hidden)} in the layers below");
        if (_sys.MakeNode(parent.RealPath + "/" + hidden, Syscalls.S_IFCHR, 0, 0))
            parent.ChangeOwner(hidden, Owner(entry.Uid), Owner(entry.Gid));
    }

    /// <summary>Onto a tree: <c>.wh.NAME</c> deletes NAME of the layers below (a directory with all it holds); what this
    /// layer itself named stays, as its overlay form would show it.</summary>
    private void DeleteForWhiteout(InRootDirectory parent, string hiddenPath)
    {
        if (_names.Contains(hiddenPath)) return;
        RemoveExisting(parent, SafePath.FileName(hiddenPath));
    }

    /// <summary>Onto a tree: <c>.wh..wh..opq</c> empties its directory of what the layers below put there; entries of
    /// this layer stay, wherever in the tar the marker comes.</summary>
    private void EmptyForOpaque(InRootDirectory directory, string directoryPath)
    {
        foreach (string name in directory.ListNames("."))
            if (!_names.Contains(Child(directoryPath, name))) RemoveExisting(directory, name);
    }

    private static string Child(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    private static void SetXattrs(InRootDirectory parent, string name, TarEntry entry)
    {
        foreach (TarXattr xattr in entry.Xattrs)
            if (!IsOverlayXattr(xattr)) parent.SetXattr(name, xattr.Name, xattr.Value);
    }

    /// <summary>A layer may not forge overlayfs metadata (redirects, metacopy): only the OCI markers produce it. Both
    /// namespaces: a rootless overlay (userxattr) reads user.overlay.*.</summary>
    private static bool IsOverlayXattr(TarXattr xattr) =>
        xattr.Name.StartsWith(RootlessMode.TrustedOverlayPrefix, StringComparison.Ordinal) || xattr.Name.StartsWith(RootlessMode.UserOverlayPrefix, StringComparison.Ordinal);

    /// <summary>
    /// The directory an entry goes into, resolved inside the layer root as Docker's chroot does (symlinks on the way
    /// followed there, never out of it), missing directories made 0755 (as moby does); refused when something on the
    /// way is not a directory there, or a symlink that leads nowhere in the layer.
    /// </summary>
    private InRootDirectory ParentOf(TarEntry entry, string relative)
    {
        string parent = SafePath.Parent(relative);
        return _tree!.MakeDirectories(parent, DefaultDirectoryMode, out string blocked) ??
               throw Refuse(entry, $"\"{blocked}\" on its path is not a directory in the layer (a file, or a symlink that leads to none)");
    }

    /// <summary>A later entry replaces an earlier one of the same name; a replaced directory goes with everything under it.</summary>
    private void RemoveExisting(InRootDirectory parent, string name)
    {
        FileStatus? status = parent.TryLStat(name);
        if (status is null) return;
        if (status.IsDirectory)
        {
            string real = parent.RealRelativeOf(name), prefix = real + "/";
            foreach (string d in _deferredDirectories.Keys.Where(d => d == real || d.StartsWith(prefix, StringComparison.Ordinal)).ToList())
                _deferredDirectories.Remove(d);
        }
        parent.Remove(name);
        // A path through what went may lead elsewhere now (or nowhere): resolve again.
        if (status.IsDirectory || status.IsSymlink) _tree!.Forget();
    }

    /// <summary>Directory modes and times last, deepest first, so creating their content does not undo them.</summary>
    private void ApplyDirectoryMetadata()
    {
        // Siblings together (by name within a depth), so that their parent stays in the tree's cache.
        foreach ((string real, TarEntry entry) in _deferredDirectories.OrderByDescending(d => d.Key.Count(c => c == '/') + (d.Key.Length > 0 ? 1 : 0))
                     .ThenBy(d => d.Key, StringComparer.Ordinal))
        {
            _tree!.ReleaseForgotten(); // the cache's overflow: no directory of an earlier turn is in use
            InRootDirectory? parent = real.Length == 0 ? _tree!.Root : _tree!.TryOpenDirectory(SafePath.Parent(real));
            string name = real.Length == 0 ? "." : SafePath.FileName(real);
            if (parent?.TryLStat(name) is not { IsDirectory: true }) continue; // chmod(2) follows symlinks: never hand it one
            try
            {
                parent.ChangeMode(name, entry.Mode);
                parent.SetTimes(name, entry.ModifiedTime.Seconds, entry.ModifiedTime.Nanoseconds);
            }
            catch (NativeException e)
            {
                throw new MiniRunException($"{_source}: tar entry \"{entry.Name}\": {e.Message}", e);
            }
        }
    }

    /// <summary>The owner to give a file; root for all in a one-ID rootless namespace, which can give no other (Podman's
    /// ignore_chown_errors does the same).</summary>
    private int Owner(long id) =>
        id > uint.MaxValue - 1 ? throw new InvalidInputException($"{_source}: owner id {id} is out of range") : RootlessMode.OneId ? 0 : (int)(uint)id;

    private InvalidInputException Refuse(TarEntry entry, string problem) =>
        new($"{_source}: refusing tar entry \"{entry.Name}\": {problem}");
}
