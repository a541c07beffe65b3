namespace MiniRun.Native;

/// <summary>
/// The bytes of the regular files below a path (symlinks not followed, hard links counted once): `du` for system df
/// and ps -s. A running container's tree changes as it is measured: it is walked from open descriptors, so a directory
/// swapped for a symlink is not followed onto the host, and an entry removed meanwhile is simply not counted.
/// </summary>
public static class TreeSize
{
    /// <summary>0 when nothing is at <paramref name="path"/>.</summary>
    public static long Of(string path)
    {
        if (Syscalls.TryLStat(path) is not { } root) return 0;
        if (!root.IsDirectory) return root.IsRegular ? root.Size : 0;
        using NativeDirectory dir = NativeDirectory.Open(path);
        return Of(dir, []);
    }

    private static long Of(NativeDirectory dir, HashSet<(ulong, ulong)> seen)
    {
        long total = 0;
        foreach (DirectoryEntry child in dir.ReadEntries())
        {
            using PathHandle? entry = dir.TryOpenEntry(child.Name);
            if (entry is null) continue;
            FileStatus status = entry.Status();
            if (status.IsDirectory)
            {
                using NativeDirectory subdirectory = entry.OpenDirectory();
                total += Of(subdirectory, seen);
            }
            else if (status.IsRegular && (status.LinkCount == 1 || seen.Add((status.Device, status.Inode)))) total += status.Size;
        }
        return total;
    }
}
