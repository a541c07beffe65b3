using MiniRun.Native;

namespace MiniRun.Layers;

/// <summary>
/// Unpacks one layer tar into a directory the way an image unpacker must (OCI image-spec layer.md, moby's overlay2):
/// every entry type, owners, modes with setuid/setgid/sticky, binary xattrs, nanosecond times, whiteouts turned into
/// their overlay form, and directory modes and times applied after the whole layer, deepest first. It never writes
/// outside the target: names are cleaned lexically (<see cref="SafePath"/>) and every parent on disk must be a real
/// directory, never a symlink. Modes are set explicitly, so the process umask does not matter.
/// </summary>
public sealed class LayerUnpacker
{
    private const uint DefaultDirectoryMode = 0x1ED; // 0755, for parents the archive does not list (as moby does)
    private const uint PrivateDirectoryMode = 0x1C0; // 0700 until the directory's own mode is applied at the end
    private const string OverlayXattrPrefix = "trusted.overlay.";

    private readonly string _root;
    private readonly string _source;
    private readonly HashSet<string> _knownDirectories = new(StringComparer.Ordinal) { "" };
    private readonly Dictionary<string, TarEntry> _deferredDirectories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UnpackedFile> _files = new(StringComparer.Ordinal);
    private readonly (int Uid, int Gid)? _newFileOwner;
    private long _size;

    /// <param name="targetDirectory">An existing, empty directory that receives the layer's files.</param>
    /// <param name="source">Names the input in error messages ("alpine.tar layer 1").</param>
    /// <param name="sys">the seam the whiteout conversions go through (--explain shows them as mknod and setfattr).</param>
    public LayerUnpacker(string targetDirectory, string source, ISyscalls? sys = null)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(targetDirectory));
        _source = source;
        _sys = sys ?? LinuxSyscalls.Instance;
        // Who owns a file as it is created: this process, as long as no directory it lands in is setgid; none is
        // until the directory modes are applied at the end, unless the target itself is (and then its new subdirectories).
        _newFileOwner = (Syscalls.LStat(_root).Permissions & Syscalls.S_ISGID) == 0 ? Syscalls.EffectiveIds : null;
    }

    private readonly ISyscalls _sys;

    /// <summary>
    /// After <see cref="Unpack"/>: each regular file's status and content hash by its path relative to the target (what
    /// <see cref="LayerTreeDigest"/> needs, so that publishing neither reads nor stats the files again).
    /// </summary>
    public IReadOnlyDictionary<string, UnpackedFile> Files => _files;

    /// <summary>
    /// Unpacks the uncompressed tar <paramref name="tar"/>, reading it to its end (on a second thread, see
    /// <see cref="PrefetchingTarReader"/>); returns the bytes of regular files.
    /// </summary>
    public long Unpack(Stream tar)
    {
        using var reader = new PrefetchingTarReader(tar, _source);
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

    private void Apply(TarEntry entry, PrefetchingTarReader reader)
    {
        if (!SafePath.TryNormalize(entry.Name, out string relative, out string problem)) throw Refuse(entry, problem);
        if (relative.Length == 0)
        {
            if (entry.Type != TarEntryType.Directory) throw Refuse(entry, "it names the layer root but is not a directory");
            ApplyDirectory(entry, relative);
            return;
        }
        // AUFS keeps hard-link sources and bookkeeping under top-level .wh..wh.* directories (moby skips them too).
        if (relative.StartsWith(Whiteouts.MetaPrefix, StringComparison.Ordinal) && relative != Whiteouts.OpaqueMarker) return;
        string parent = SafePath.Parent(relative);
        switch (Whiteouts.Classify(SafePath.FileName(relative), out string hidden))
        {
            case WhiteoutKind.AufsMetadata:
                return;
            case WhiteoutKind.Opaque:
                EnsureParentDirectories(entry, relative);
                _sys.Explain($"{relative}: an opaque directory in overlay form; it hides the directory's contents in the layers below");
                _sys.SetXattr(FullPath(parent), Whiteouts.OpaqueXattr, Whiteouts.OpaqueValue);
                return;
            case WhiteoutKind.Whiteout:
                if (!Whiteouts.IsValidHiddenName(hidden)) throw Refuse(entry, $"a whiteout must name a sibling, not \"{hidden}\"");
                ApplyWhiteout(entry, SafePath.Join(parent, hidden));
                return;
        }

        EnsureParentDirectories(entry, relative);
        switch (entry.Type)
        {
            case TarEntryType.RegularFile: WriteRegularFile(entry, relative, reader); break;
            case TarEntryType.Directory: ApplyDirectory(entry, relative); break;
            case TarEntryType.SymbolicLink: CreateSymlink(entry, relative); break;
            case TarEntryType.HardLink: CreateHardLink(entry, relative); break;
            case TarEntryType.Fifo: CreateNode(entry, relative, Syscalls.S_IFIFO); break;
            case TarEntryType.CharacterDevice: CreateNode(entry, relative, Syscalls.S_IFCHR); break;
            case TarEntryType.BlockDevice: CreateNode(entry, relative, Syscalls.S_IFBLK); break;
            default: throw Refuse(entry, $"unsupported entry type '{(char)entry.Type}'");
        }
    }

    private void WriteRegularFile(TarEntry entry, string relative, PrefetchingTarReader reader)
    {
        string path = FullPath(relative);
        NativeFile? file = NativeFile.TryCreateNew(path, 0x180); // 0600 while being written
        if (file is null)
        {
            RemoveExisting(relative);
            file = NativeFile.TryCreateNew(path, 0x180) ?? throw new NativeException("open", path, Errnos.EEXIST);
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
            _files[relative] = new UnpackedFile(file.Status(), reader.ContentDigest!);
        }
    }

    /// <summary>Creates or keeps (dir over dir) a directory; its mode and times wait for the end of the layer.</summary>
    private void ApplyDirectory(TarEntry entry, string relative)
    {
        string path = FullPath(relative);
        if (relative.Length > 0) CreateOrKeepDirectory(relative);
        Syscalls.LChown(path, Owner(entry.Uid), Owner(entry.Gid));
        SetXattrs(path, entry);
        _deferredDirectories[relative] = entry;
    }

    private void CreateSymlink(TarEntry entry, string relative)
    {
        string path = FullPath(relative);
        if (entry.LinkName.Length == 0 || entry.LinkName.Contains('\0')) throw Refuse(entry, "symlink has no valid target");
        // The target is stored, never resolved: "/bin/busybox" is normal in images and stays as it is.
        if (!UnpackSyscalls.TrySymlink(entry.LinkName, path))
        {
            RemoveExisting(relative);
            Syscalls.Symlink(entry.LinkName, path);
        }
        // A symlink's size is its target's length (lstat(2)): Docker's layer size counts it, so `images` agrees.
        _size += System.Text.Encoding.UTF8.GetByteCount(entry.LinkName);
        Syscalls.LChown(path, Owner(entry.Uid), Owner(entry.Gid));
        SetXattrs(path, entry);
        UnpackSyscalls.SetTimes(path, entry.ModifiedTime.Seconds, entry.ModifiedTime.Nanoseconds);
    }

    /// <summary>A hard link to an earlier entry of this layer; it shares the target's inode, so it has no metadata of its own.</summary>
    private void CreateHardLink(TarEntry entry, string relative)
    {
        if (!SafePath.TryNormalize(entry.LinkName, out string target, out string problem))
            throw Refuse(entry, $"hard link target \"{entry.LinkName}\": {problem}");
        if (target.Length == 0) throw Refuse(entry, "hard link to the layer root");
        if (target == relative) return;
        CheckExistingParents(entry, target);
        FileStatus? status = Syscalls.TryLStat(FullPath(target));
        if (status is null) throw Refuse(entry, $"hard link target \"{entry.LinkName}\" is not in this layer");
        if (status.IsDirectory) throw Refuse(entry, $"hard link target \"{entry.LinkName}\" is a directory");
        if (!UnpackSyscalls.TryHardLink(FullPath(target), FullPath(relative)))
        {
            RemoveExisting(relative);
            Syscalls.HardLink(FullPath(target), FullPath(relative));
        }
        // The same inode, so the same record (a missing one only means the tree digest looks at the file itself).
        if (_files.TryGetValue(target, out UnpackedFile? file)) _files[relative] = file;
        else _files.Remove(relative);
    }

    private void CreateNode(TarEntry entry, string relative, uint type)
    {
        string path = FullPath(relative);
        if (!UnpackSyscalls.TryMakeNode(path, type | entry.Mode, entry.DeviceMajor, entry.DeviceMinor))
        {
            RemoveExisting(relative);
            Syscalls.MakeNode(path, type | entry.Mode, entry.DeviceMajor, entry.DeviceMinor);
        }
        Syscalls.LChown(path, Owner(entry.Uid), Owner(entry.Gid));
        Syscalls.Chmod(path, entry.Mode); // mknod(2) applies the umask; chmod after chown keeps setuid bits
        SetXattrs(path, entry);
        UnpackSyscalls.SetTimes(path, entry.ModifiedTime.Seconds, entry.ModifiedTime.Nanoseconds);
    }

    /// <summary>
    /// <c>.wh.NAME</c> becomes a character device 0/0 named NAME owned by the entry's owner (moby overlay2). A whiteout
    /// hides lower layers only, so when this layer already has NAME, that entry stays.
    /// </summary>
    private void ApplyWhiteout(TarEntry entry, string hiddenRelative)
    {
        EnsureParentDirectories(entry, hiddenRelative);
        string path = FullPath(hiddenRelative);
        _sys.Explain($"{entry.Name}: a whiteout in overlay form, a 0/0 character device; it hides {hiddenRelative} in the layers below");
        if (_sys.MakeNode(path, Syscalls.S_IFCHR, 0, 0))
            Syscalls.LChown(path, Owner(entry.Uid), Owner(entry.Gid));
    }

    private void SetXattrs(string path, TarEntry entry)
    {
        foreach (TarXattr xattr in entry.Xattrs)
            if (!IsOverlayXattr(xattr)) Syscalls.SetXattr(path, xattr.Name, xattr.Value);
    }

    /// <summary>A layer may not forge overlayfs metadata (redirects, metacopy): only the OCI markers produce it.</summary>
    private static bool IsOverlayXattr(TarXattr xattr) => xattr.Name.StartsWith(OverlayXattrPrefix, StringComparison.Ordinal);

    /// <summary>Every parent of <paramref name="relative"/> is a real directory (created 0755 when missing), never a symlink.</summary>
    private void EnsureParentDirectories(TarEntry entry, string relative)
    {
        string parent = SafePath.Parent(relative);
        if (_knownDirectories.Contains(parent)) return;
        EnsureParentDirectories(entry, parent);
        string path = FullPath(parent);
        if (UnpackSyscalls.TryMakeDirectory(path, DefaultDirectoryMode))
            Syscalls.Chmod(path, DefaultDirectoryMode); // mkdir(2) applies the umask
        else if (Syscalls.LStat(path) is { IsDirectory: false } status)
            throw Refuse(entry, status.IsSymlink
                ? $"its parent \"{parent}\" is a symlink, and writing through it could leave the layer"
                : $"its parent \"{parent}\" is not a directory");
        _knownDirectories.Add(parent);
    }

    /// <summary>A directory entry keeps an existing directory (dir over dir) and replaces anything else.</summary>
    private void CreateOrKeepDirectory(string relative)
    {
        string path = FullPath(relative);
        if (!UnpackSyscalls.TryMakeDirectory(path, PrivateDirectoryMode) && !Syscalls.LStat(path).IsDirectory)
        {
            RemoveExisting(relative);
            Syscalls.MakeDirectory(path, PrivateDirectoryMode);
        }
        _knownDirectories.Add(relative);
    }

    /// <summary>For hard link targets: every parent must already exist as a real directory (nothing is created).</summary>
    private void CheckExistingParents(TarEntry entry, string relative)
    {
        string parent = SafePath.Parent(relative);
        if (_knownDirectories.Contains(parent)) return;
        CheckExistingParents(entry, parent);
        FileStatus? status = Syscalls.TryLStat(FullPath(parent));
        if (status is null) throw Refuse(entry, $"hard link target \"{entry.LinkName}\" is not in this layer");
        if (!status.IsDirectory)
            throw Refuse(entry, $"hard link target \"{entry.LinkName}\" passes through \"{parent}\", which is {(status.IsSymlink ? "a symlink" : "not a directory")}");
        _knownDirectories.Add(parent);
    }

    /// <summary>A later entry replaces an earlier one of the same name; a replaced directory goes with everything under it.</summary>
    private void RemoveExisting(string relative)
    {
        string path = FullPath(relative);
        FileStatus? status = Syscalls.TryLStat(path);
        if (status is null) return;
        if (!status.IsDirectory)
        {
            Syscalls.Unlink(path);
            return;
        }
        string prefix = relative + "/";
        _knownDirectories.RemoveWhere(d => d == relative || d.StartsWith(prefix, StringComparison.Ordinal));
        foreach (string d in _deferredDirectories.Keys.Where(d => d == relative || d.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            _deferredDirectories.Remove(d);
        Directory.Delete(path, recursive: true);
    }

    /// <summary>Directory modes and times last, deepest first, so creating their content does not undo them.</summary>
    private void ApplyDirectoryMetadata()
    {
        foreach ((string relative, TarEntry entry) in _deferredDirectories.OrderByDescending(d => d.Key.Count(c => c == '/') + (d.Key.Length > 0 ? 1 : 0)))
        {
            string path = FullPath(relative);
            if (Syscalls.TryLStat(path) is not { IsDirectory: true }) continue; // chmod(2) follows symlinks: never hand it one
            try
            {
                Syscalls.Chmod(path, entry.Mode);
                UnpackSyscalls.SetTimes(path, entry.ModifiedTime.Seconds, entry.ModifiedTime.Nanoseconds);
            }
            catch (NativeException e)
            {
                throw new MiniRunException($"{_source}: tar entry \"{entry.Name}\": {e.Message}", e);
            }
        }
    }

    private string FullPath(string relative) => relative.Length == 0 ? _root : _root + "/" + relative;

    private int Owner(long id) => id <= uint.MaxValue - 1 ? (int)(uint)id : throw new InvalidInputException($"{_source}: owner id {id} is out of range");

    private InvalidInputException Refuse(TarEntry entry, string problem) =>
        new($"{_source}: refusing tar entry \"{entry.Name}\": {problem}");
}
