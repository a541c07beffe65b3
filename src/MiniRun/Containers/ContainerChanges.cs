using MiniRun.Layers;
using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>One line of `docker diff`: C (changed), A (added) or D (deleted), and the path inside the container.</summary>
public sealed record ContainerChange(char Kind, string Path)
{
    public override string ToString() => $"{Kind} {Path}";
}

/// <summary>
/// `diff`: the container's changes read from its overlay upper dir, by the rules of moby's native overlay diff
/// (pkg/archive changes.go with its overlay whiteout test): entries are visited in lexical order; a whiteout
/// (0/0 character device) or an opaque directory is a deletion; any other entry is changed when a lower layer has that
/// path and added otherwise, except a directory whose size, mode and mtime equal the lower one's (only copied up);
/// the parent of an addition or deletion is reported changed once, before it.
/// </summary>
public static class ContainerChanges
{
    /// <param name="lowerDirs">absolute lower directories, top first (the init layer included, as Docker's are).</param>
    public static List<ContainerChange> Read(string upperDir, IReadOnlyList<string> lowerDirs)
    {
        var changes = new List<ContainerChange>();
        var changedDirs = new HashSet<string>(StringComparer.Ordinal);
        Walk(upperDir, "/", lowerDirs, changes, changedDirs);
        return changes;
    }

    private static void Walk(string directory, string path, IReadOnlyList<string> lowerDirs, List<ContainerChange> changes, HashSet<string> changedDirs)
    {
        foreach (string name in Directory.EnumerateFileSystemEntries(directory).Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
        {
            string hostPath = System.IO.Path.Combine(directory, name);
            string containerPath = path == "/" ? "/" + name : path + "/" + name;
            FileStatus status = Syscalls.LStat(hostPath);
            Visit(hostPath, containerPath, status, lowerDirs, changes, changedDirs);
            if (status.IsDirectory) Walk(hostPath, containerPath, lowerDirs, changes, changedDirs);
        }
    }

    private static void Visit(string hostPath, string path, FileStatus status, IReadOnlyList<string> lowerDirs, List<ContainerChange> changes,
        HashSet<string> changedDirs)
    {
        char kind;
        if (status.IsWhiteout || status.IsDirectory && IsOpaque(hostPath)) kind = 'D';
        else
        {
            kind = 'A';
            foreach (string lower in lowerDirs)
            {
                if (StatFollowing(lower + path) is not { } below) continue;
                // A directory copied up only because something inside it changed is not itself a change.
                if (below.IsDirectory && status.IsDirectory && below.Size == status.Size && below.Mode == status.Mode && SameTime(below.Modified, status.Modified))
                    return;
                kind = 'C';
                break;
            }
        }
        if (status.IsDirectory) changedDirs.Add(path);
        if (kind is 'A' or 'D')
        {
            string parent = System.IO.Path.GetDirectoryName(path) ?? "/";
            if (parent != "/" && changedDirs.Add(parent)) changes.Add(new ContainerChange('C', parent));
        }
        changes.Add(new ContainerChange(kind, path));
    }

    private static bool IsOpaque(string path) =>
        Syscalls.GetXattr(path, Whiteouts.OpaqueXattr) is { } value && value.AsSpan().SequenceEqual(Whiteouts.OpaqueValue);

    /// <summary>stat(2), following symlinks as Go's os.Stat does; null when nothing is there.</summary>
    private static FileStatus? StatFollowing(string path)
    {
        FileStatus? status = Syscalls.TryLStat(path);
        if (status is not { IsSymlink: true }) return status;
        try
        {
            FileSystemInfo? target = File.ResolveLinkTarget(path, returnFinalTarget: true);
            return target is null ? null : Syscalls.TryLStat(target.FullName);
        }
        catch (IOException) { return null; }
    }

    /// <summary>Equal times, or equal seconds where one side has no nanoseconds (a filesystem without them).</summary>
    private static bool SameTime(DateTimeOffset a, DateTimeOffset b) =>
        a == b || a.ToUnixTimeSeconds() == b.ToUnixTimeSeconds() && (a.Ticks % TimeSpan.TicksPerSecond == 0 || b.Ticks % TimeSpan.TicksPerSecond == 0);
}
