namespace MiniRun.Native;

/// <summary>Removes a directory tree of the store with calls relative to each open directory (never following a symlink).</summary>
public static class DirectoryTree
{
    /// <summary>
    /// rm -rf <paramref name="path"/>: `run --rm` removes a container this way as it returns. Directory.Delete
    /// resolves each entry's whole path, twice (about twice the time for a container's twenty entries).
    /// It never crosses a mount point: a directory mounted below (a bind mount a failed unmount left in a container,
    /// a volume) is not walked, and its files stay; then nothing above it can go either, and the error names it.
    /// </summary>
    public static void Remove(string path)
    {
        if (Syscalls.TryLStat(path) is { IsDirectory: false }) { Syscalls.Unlink(path); return; } // rm -rf of a file
        var mounts = new List<string>();
        using (NativeDirectory dir = NativeDirectory.Open(path)) RemoveEntries(dir, path, mounts);
        if (mounts.Count > 0) throw new MountPointInTheWayException(path, mounts);
        Syscalls.RemoveDirectory(path);
    }

    /// <summary>Everything in the open directory <paramref name="dir"/> (at <paramref name="path"/>, for messages), never crossing a mount.</summary>
    internal static void RemoveContents(NativeDirectory dir, string path)
    {
        var mounts = new List<string>();
        RemoveEntries(dir, path, mounts);
        if (mounts.Count > 0) throw new MountPointInTheWayException(path, mounts);
    }

    /// <returns>whether everything below went (false: a mount point is in it).</returns>
    private static bool RemoveEntries(NativeDirectory dir, string path, List<string> mounts)
    {
        bool all = true;
        foreach (DirectoryEntry entry in dir.ReadEntries())
        {
            string entryPath = path + "/" + entry.Name;
            bool isDirectory = entry.IsKnown ? entry.IsDirectory : dir.LStat(entry.Name).IsDirectory;
            if (isDirectory)
            {
                using NativeDirectory? child = dir.OpenDirectoryOnThisMount(entry.Name);
                if (child is null)
                {
                    mounts.Add(entryPath);
                    all = false;
                    continue;
                }
                if (!RemoveEntries(child, entryPath, mounts))
                {
                    all = false;
                    continue;
                }
            }
            try
            {
                dir.Remove(entry.Name, isDirectory);
            }
            catch (NativeException e) when (e.Errno == Errnos.EBUSY && !isDirectory)
            {
                mounts.Add(entryPath); // a file mounted over this one
                all = false;
            }
        }
        return all;
    }
}

/// <summary>A removal that stopped at mount points, whose files it left alone: what to unmount before trying again.</summary>
public sealed class MountPointInTheWayException(string path, IReadOnlyList<string> mounts) : MiniRunException(
    $"{path} was not removed: {string.Join(", ", mounts)} {(mounts.Count == 1 ? "is a mount point" : "are mount points")} " +
    "(an unmount that failed?), whose files were left alone: umount them, then remove it again")
{
    public IReadOnlyList<string> Mounts { get; } = mounts;
}
