using MiniRun.Layers;
using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>One line of `docker diff`: C (changed), A (added) or D (deleted), and the path inside the container.</summary>
public sealed record ContainerChange(char Kind, string Path)
{
    public override string ToString() => $"{Kind} {Path}";
}

/// <summary>
/// `diff`: the container's changes read from its overlay upper dir, as `docker diff` reports them (compared with a
/// Docker 20.10 engine on overlay2): a whiteout (0/0 character device) is D; an entry is C when a lower layer has
/// that path and A otherwise; a directory that only holds changes is C (its own metadata may be untouched, copied up);
/// below an opaque directory (trusted.overlay.opaque=y: it replaced a lower one), lower entries now missing are D.
/// A directory comes before its contents; entries are in ordinal order (Docker's own order varies from run to run).
/// The upper dir is walked from open descriptors, one name at a time, and the lower layers are looked up inside each
/// layer without following a symlink: a running container renaming its files cannot point the host at one of its own.
/// </summary>
public static class ContainerChanges
{
    /// <param name="lowerDirs">absolute lower directories, top first (the init layer included, as Docker's are).</param>
    public static List<ContainerChange> Read(string upperDir, IReadOnlyList<string> lowerDirs)
    {
        var changes = new List<ContainerChange>();
        var lowers = new List<InRootResolver>(lowerDirs.Count);
        try
        {
            foreach (string lower in lowerDirs)
                if (InRootResolver.TryOpen(lower) is { } root) lowers.Add(root);
            using NativeDirectory upper = NativeDirectory.Open(upperDir);
            Walk(upper, "", lowers, replaced: false, changes);
        }
        finally
        {
            foreach (InRootResolver lower in lowers) lower.Dispose();
        }
        return changes;
    }

    /// <summary>Records the changes below one directory; true when there was any.</summary>
    private static bool Walk(NativeDirectory directory, string path, List<InRootResolver> lowers, bool replaced, List<ContainerChange> changes)
    {
        bool any = false;
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in Names(directory))
        {
            using PathHandle? entry = directory.TryOpenEntry(name);
            if (entry is null) continue; // removed since it was listed
            present.Add(name);
            string containerPath = path + "/" + name;
            FileStatus status = entry.Status();
            FileStatus? below = LowerEntry(lowers, containerPath);
            any = true;
            if (status.IsWhiteout)
            {
                changes.Add(new ContainerChange('D', containerPath));
                continue;
            }
            if (!status.IsDirectory)
            {
                changes.Add(new ContainerChange(below is null ? 'A' : 'C', containerPath));
                continue;
            }
            int mark = changes.Count;
            bool inside;
            using (NativeDirectory subdirectory = entry.OpenDirectory())
                inside = Walk(subdirectory, containerPath, lowers, replaced || IsOpaque(entry, status), changes);
            if (below is null) changes.Insert(mark, new ContainerChange('A', containerPath));
            else if (inside || !SameDirectory(below, status)) changes.Insert(mark, new ContainerChange('C', containerPath));
            else any = changes.Count > mark;
        }
        if (replaced)
            foreach (string gone in LowerNames(lowers, path).Where(n => !present.Contains(n)).Order(StringComparer.Ordinal))
            {
                changes.Add(new ContainerChange('D', path + "/" + gone));
                any = true;
            }
        return any;
    }

    private static List<string> Names(NativeDirectory directory)
    {
        var names = new List<string>();
        foreach (DirectoryEntry entry in directory.ReadEntries()) names.Add(entry.Name);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>The entry the lower layers show at <paramref name="path"/>: the topmost layer that has it decides (a whiteout hides it).</summary>
    internal static FileStatus? LowerEntry(List<InRootResolver> lowers, string path)
    {
        foreach (InRootResolver lower in lowers)
        {
            using PathHandle? entry = lower.TryOpenEntry(path);
            if (entry?.Status() is { } status) return status.IsWhiteout ? null : status;
        }
        return null;
    }

    /// <summary>The names the lower layers show in the directory <paramref name="path"/> (whited-out ones left out).</summary>
    internal static IEnumerable<string> LowerNames(List<InRootResolver> lowers, string path)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (InRootResolver lower in lowers)
        {
            using PathHandle? entry = lower.TryOpenEntry(path);
            if (entry is null || !entry.Status().IsDirectory) continue;
            using NativeDirectory directory = entry.OpenDirectory();
            names.UnionWith(Names(directory));
        }
        return names.Where(n => LowerEntry(lowers, path + "/" + n) is not null);
    }

    private static bool SameDirectory(FileStatus a, FileStatus b) =>
        a.IsDirectory && a.Mode == b.Mode && a.Uid == b.Uid && a.Gid == b.Gid && SameTime(a.Modified, b.Modified);

    private static bool IsOpaque(PathHandle entry, FileStatus status) =>
        entry.GetXattr(status, Whiteouts.OpaqueXattr) is { } value && value.AsSpan().SequenceEqual(Whiteouts.OpaqueValue);

    /// <summary>Equal times, or equal seconds where one side has no nanoseconds (moby's sameFsTime: tar keeps whole seconds).</summary>
    internal static bool SameTime(DateTimeOffset a, DateTimeOffset b) =>
        a == b || a.ToUnixTimeSeconds() == b.ToUnixTimeSeconds() && (a.Ticks % TimeSpan.TicksPerSecond == 0 || b.Ticks % TimeSpan.TicksPerSecond == 0);
}
