using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>
/// `diff` where there is no upper dir (vfs): the container's full tree compared with the trees below it (its init
/// layer, then its image's top layer tree), as moby's naive diff driver does (pkg/archive changes.go): an entry missing
/// below is A (and so is all below it), one whose type, mode, owner or device differ, or (not a directory) its size or
/// mtime, or its security.capability, is C, one only below is D (not what was under it); a directory with changes
/// below it is C too. Directory before its contents, names in ordinal order, as <see cref="ContainerChanges"/> gives them.
/// Both trees are walked from open descriptors, no symlink followed, as <see cref="ContainerChanges"/> walks an upper dir.
/// </summary>
public static class TreeChanges
{
    private const string Capability = "security.capability";

    /// <param name="lowerDirs">absolute directories below the container's tree, top first.</param>
    public static List<ContainerChange> Read(string tree, IReadOnlyList<string> lowerDirs)
    {
        var changes = new List<ContainerChange>();
        var lowers = new List<InRootResolver>(lowerDirs.Count);
        try
        {
            foreach (string lower in lowerDirs)
                if (InRootResolver.TryOpen(lower) is { } root) lowers.Add(root);
            using NativeDirectory top = NativeDirectory.Open(tree);
            Walk(top, "", lowers, changes);
        }
        finally
        {
            foreach (InRootResolver lower in lowers) lower.Dispose();
        }
        return changes;
    }

    private static void Walk(NativeDirectory directory, string path, List<InRootResolver> lowers, List<ContainerChange> changes)
    {
        var names = directory.ReadEntries().Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var gone = ContainerChanges.LowerNames(lowers, path).Where(n => !names.Contains(n)).ToHashSet(StringComparer.Ordinal);
        foreach (string name in names.Concat(gone).Order(StringComparer.Ordinal))
        {
            string containerPath = path + "/" + name;
            using PathHandle? entry = gone.Contains(name) ? null : directory.TryOpenEntry(name);
            if (entry is null)
            {
                if (gone.Contains(name)) changes.Add(new ContainerChange('D', containerPath));
                continue; // removed since it was listed
            }
            FileStatus status = entry.Status();
            FileStatus? below = ContainerChanges.LowerEntry(lowers, containerPath);
            int mark = changes.Count;
            bool changed = below is null || Differs(below, status) || status.IsRegular && !SameCapability(entry, status, lowers, containerPath);
            if (changed) changes.Add(new ContainerChange(below is null ? 'A' : 'C', containerPath));
            if (!status.IsDirectory) continue;
            using (NativeDirectory subdirectory = entry.OpenDirectory())
                Walk(subdirectory, containerPath, lowers, changes);
            if (!changed && changes.Count > mark) changes.Insert(mark, new ContainerChange('C', containerPath));
        }
    }

    /// <summary>moby's statDifferent: a directory's size and mtime say nothing (moby#9874).</summary>
    private static bool Differs(FileStatus old, FileStatus now) =>
        old.Mode != now.Mode || old.Uid != now.Uid || old.Gid != now.Gid || old.RdevMajor != now.RdevMajor || old.RdevMinor != now.RdevMinor ||
        !now.IsDirectory && (!ContainerChanges.SameTime(old.Modified, now.Modified) || old.Size != now.Size);

    private static bool SameCapability(PathHandle entry, FileStatus status, List<InRootResolver> lowers, string path)
    {
        byte[]? now = entry.GetXattr(status, Capability);
        foreach (InRootResolver lower in lowers)
        {
            using PathHandle? below = lower.TryOpenEntry(path);
            if (below?.Status() is not { } old) continue;
            byte[]? before = old.IsWhiteout ? null : below.GetXattr(old, Capability);
            return now is null ? before is null : before is not null && now.AsSpan().SequenceEqual(before);
        }
        return now is null;
    }
}
