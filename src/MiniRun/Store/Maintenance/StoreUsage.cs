using MiniRun.Containers;
using MiniRun.Images;
using MiniRun.Native;

namespace MiniRun.Store.Maintenance;

/// <summary>One row of `system df`.</summary>
public sealed record UsageRow(string Type, int Total, int Active, long Size, long Reclaimable);

/// <summary>
/// `system df`: images, containers and layers with the bytes they take. An image's size counts all its layers; the
/// layers themselves are stored once, so the sum of the image sizes minus the layers' size is what sharing saves.
/// </summary>
public sealed class StoreUsage(ImageStore images, ContainerStore containers)
{
    public (List<UsageRow> Rows, long SharedSavings) Measure()
    {
        IReadOnlyList<ImageRecord> allImages = images.List();
        var layers = images.Layers.List().ToList();
        IReadOnlyList<Container> allContainers = containers.List();
        HashSet<string> usedImageIds = allContainers.Select(c => c.Record.ImageId).ToHashSet(StringComparer.Ordinal);
        HashSet<Digest> imageLayers = allImages.SelectMany(i => i.DiffIds).ToHashSet();
        HashSet<Digest> activeLayers = allImages.Where(i => usedImageIds.Contains(i.Id.ToString())).SelectMany(i => i.DiffIds).ToHashSet();

        long layersSize = layers.Sum(l => l.Size);
        long imagesSize = layers.Where(l => imageLayers.Contains(l.DiffId)).Sum(l => l.Size);
        long imagesReclaimable = layers.Where(l => imageLayers.Contains(l.DiffId) && !activeLayers.Contains(l.DiffId)).Sum(l => l.Size);
        var containerSizes = allContainers.Select(c => (Running: containers.IsRunning(c), Size: DirectorySize(c.UpperDir))).ToList();
        var rows = new List<UsageRow>
        {
            new("Images", allImages.Count, allImages.Count(i => usedImageIds.Contains(i.Id.ToString())), imagesSize, imagesReclaimable),
            new("Containers", allContainers.Count, containerSizes.Count(c => c.Running), containerSizes.Sum(c => c.Size),
                containerSizes.Where(c => !c.Running).Sum(c => c.Size)),
            new("Layers", layers.Count, layers.Count(l => activeLayers.Contains(l.DiffId)), layersSize,
                layers.Where(l => !imageLayers.Contains(l.DiffId)).Sum(l => l.Size)),
        };
        return (rows, allImages.Sum(i => i.Size) - imagesSize);
    }

    /// <summary>
    /// The bytes of the regular files below <paramref name="path"/> (symlinks not followed, hard links counted once).
    /// A running container's upper dir changes as it is measured: it is walked from open descriptors, so a directory
    /// swapped for a symlink is not followed onto the host, and an entry removed meanwhile is simply not counted.
    /// </summary>
    public static long DirectorySize(string path)
    {
        if (Syscalls.TryLStat(path) is not { } root) return 0;
        if (!root.IsDirectory) return root.IsRegular ? root.Size : 0;
        using NativeDirectory dir = NativeDirectory.Open(path);
        return DirectorySize(dir, []);
    }

    private static long DirectorySize(NativeDirectory dir, HashSet<(ulong, ulong)> seen)
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
                total += DirectorySize(subdirectory, seen);
            }
            else if (status.IsRegular && (status.LinkCount == 1 || seen.Add((status.Device, status.Inode)))) total += status.Size;
        }
        return total;
    }
}
