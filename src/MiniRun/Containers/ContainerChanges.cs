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
/// </summary>
public static class ContainerChanges
{
    /// <param name="lowerDirs">absolute lower directories, top first (the init layer included, as Docker's are).</param>
    public static List<ContainerChange> Read(string upperDir, IReadOnlyList<string> lowerDirs)
    {
        var changes = new List<ContainerChange>();
        Walk(upperDir, "", lowerDirs, replaced: false, changes);
        return changes;
    }

    /// <summary>Records the changes below one directory; true when there was any.</summary>
    private static bool Walk(string directory, string path, IReadOnlyList<string> lowerDirs, bool replaced, List<ContainerChange> changes)
    {
        bool any = false;
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in Names(directory))
        {
            present.Add(name);
            string hostPath = System.IO.Path.Combine(directory, name);
            string containerPath = path + "/" + name;
            FileStatus status = Syscalls.LStat(hostPath);
            FileStatus? below = LowerEntry(lowerDirs, containerPath);
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
            bool inside = Walk(hostPath, containerPath, lowerDirs, replaced || IsOpaque(hostPath), changes);
            if (below is null) changes.Insert(mark, new ContainerChange('A', containerPath));
            else if (inside || !SameDirectory(below, status)) changes.Insert(mark, new ContainerChange('C', containerPath));
            else any = changes.Count > mark;
        }
        if (replaced)
            foreach (string gone in LowerNames(lowerDirs, path).Where(n => !present.Contains(n)).Order(StringComparer.Ordinal))
            {
                changes.Add(new ContainerChange('D', path + "/" + gone));
                any = true;
            }
        return any;
    }

    private static IEnumerable<string> Names(string directory) =>
        Directory.EnumerateFileSystemEntries(directory).Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    /// <summary>The entry the lower layers show at <paramref name="path"/>: the topmost layer that has it decides (a whiteout hides it).</summary>
    private static FileStatus? LowerEntry(IReadOnlyList<string> lowerDirs, string path)
    {
        foreach (string lower in lowerDirs)
            if (Syscalls.TryLStat(lower + path) is { } status) return status.IsWhiteout ? null : status;
        return null;
    }

    private static IEnumerable<string> LowerNames(IReadOnlyList<string> lowerDirs, string path) =>
        lowerDirs.Where(l => Syscalls.TryLStat(l + path) is { IsDirectory: true })
            .SelectMany(l => Names(l + path)).Distinct().Where(n => LowerEntry(lowerDirs, path + "/" + n) is not null);

    private static bool SameDirectory(FileStatus a, FileStatus b) =>
        a.IsDirectory && a.Mode == b.Mode && a.Uid == b.Uid && a.Gid == b.Gid && SameTime(a.Modified, b.Modified);

    private static bool IsOpaque(string path) =>
        Syscalls.GetXattr(path, Whiteouts.OpaqueXattr) is { } value && value.AsSpan().SequenceEqual(Whiteouts.OpaqueValue);

    /// <summary>Equal times, or equal seconds where one side has no nanoseconds (moby's sameFsTime: tar keeps whole seconds).</summary>
    private static bool SameTime(DateTimeOffset a, DateTimeOffset b) =>
        a == b || a.ToUnixTimeSeconds() == b.ToUnixTimeSeconds() && (a.Ticks % TimeSpan.TicksPerSecond == 0 || b.Ticks % TimeSpan.TicksPerSecond == 0);
}
