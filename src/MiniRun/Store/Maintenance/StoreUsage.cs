using MiniRun.Containers;
using MiniRun.Images;
using MiniRun.Native;
using MiniRun.Volumes;

namespace MiniRun.Store.Maintenance;

/// <summary>One row of `system df`.</summary>
public sealed record UsageRow(string Type, int Total, int Active, long Size, long Reclaimable);

/// <summary>An image in `system df -v`: its layers' bytes, those other images share, those only it has, and its containers.</summary>
public sealed record ImageUsage(ImageRecord Image, long SharedSize, long UniqueSize, int Containers);

/// <summary>A container in `system df -v`: the bytes it wrote (its upper directory) and its volumes.</summary>
public sealed record ContainerUsage(Container Container, long Size, int LocalVolumes);

/// <summary>A volume in `system df -v`: how many containers mount it, and its bytes.</summary>
public sealed record VolumeUsage(VolumeRecord Volume, int Links, long Size);

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
        var containerSizes = allContainers.Select(c => (Running: containers.IsRunning(c), Size: Written(c))).ToList();
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

    /// <summary>`system df -v`: each image, container and volume with its bytes, as Docker's verbose sections list them.</summary>
    public (List<ImageUsage> Images, List<ContainerUsage> Containers, List<VolumeUsage> Volumes) MeasureEach(VolumeStore volumes)
    {
        IReadOnlyList<ImageRecord> allImages = images.List();
        IReadOnlyList<Container> allContainers = containers.List();
        Dictionary<Digest, long> layerSizes = images.Layers.List().ToDictionary(l => l.DiffId, l => l.Size);
        Dictionary<Digest, int> users = allImages.SelectMany(i => i.DiffIds.Distinct()).GroupBy(d => d).ToDictionary(g => g.Key, g => g.Count());
        var imageRows = allImages.Select(image =>
        {
            var own = image.DiffIds.Distinct().ToList();
            long shared = own.Where(d => users[d] > 1).Sum(d => layerSizes.GetValueOrDefault(d));
            long unique = own.Where(d => users[d] == 1).Sum(d => layerSizes.GetValueOrDefault(d));
            return new ImageUsage(image, shared, unique, allContainers.Count(c => c.Record.ImageId == image.Id.ToString()));
        }).ToList();
        var containerRows = allContainers.Select(c =>
            new ContainerUsage(c, Written(c), c.Record.Mounts.Count(m => m.Type == ContainerMount.Volume))).ToList();
        var volumeRows = volumes.List().Select(v => new VolumeUsage(v,
            allContainers.Count(c => c.Record.Mounts.Any(m => m.Type == ContainerMount.Volume && m.Name == v.Name)),
            DirectorySize(v.Mountpoint))).ToList();
        return (imageRows, containerRows, volumeRows);
    }

    /// <summary>The bytes the container wrote: its upper dir, or (vfs) the files it changed in its tree.</summary>
    private long Written(Container container) => (_snapshotter ??= new ContainerSnapshotter(images.Layers)).WritableSize(container);

    private ContainerSnapshotter? _snapshotter;

    /// <summary>The bytes of the regular files below <paramref name="path"/> (<see cref="TreeSize"/>).</summary>
    public static long DirectorySize(string path) => TreeSize.Of(path);
}
