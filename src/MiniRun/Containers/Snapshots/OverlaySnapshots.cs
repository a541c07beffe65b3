using MiniRun.Layers;
using MiniRun.Native;
using MiniRun.Sandbox;
using MiniRun.Store;

namespace MiniRun.Containers;

/// <summary>
/// The overlay driver, as containerd's overlay snapshotter and moby's overlay2: the image's layer directories stacked
/// by one overlay mount per container (<see cref="Overlay"/>: lowerdir top first) over the container's own
/// <c>diff/</c> (its writes, copied up) and <c>work/</c>; `diff` and `commit` read the upper dir.
/// </summary>
public sealed class OverlaySnapshots(LayerStore layers) : ISnapshotDriver
{
    private StorePaths Paths => layers.Paths;

    public string DisplayName => "overlay2";

    public void PrepareImage(ISyscalls sys, ContainerRecord record) { }

    public void Prepare(ISyscalls sys, string dir, ContainerRecord record)
    {
        sys.Explain("overlay: upper (the container's writes), overlay's work dir, the mount point");
        foreach (string name in new[] { ContainerSnapshotter.UpperDirectory, ContainerSnapshotter.WorkDirectory, ContainerSnapshotter.MergedDirectory })
            sys.MakeDirectory(Path.Combine(dir, name), 0x1ed); // in a new directory: one mkdir(2) each
    }

    /// <summary>The lowerdir list, top first, relative to the store root: extra layers, the init layer, the image's layers.</summary>
    public IReadOnlyList<string> LowerDirs(string relativeDirectory, ContainerRecord record) => Lower(relativeDirectory, record);

    private List<string> Lower(string relativeDirectory, ContainerRecord record)
    {
        var lower = ContainerSnapshotter.OwnLowerDirs(relativeDirectory, record);
        for (int i = record.Layers.Count - 1; i >= 0; i--)
            lower.Add(layers.ShortLink(Digest.Parse(record.Layers[i], "container " + record.Id)));
        return lower;
    }

    /// <summary>The overlay mount as data, for the container whose directory is <paramref name="relativeDirectory"/> of the store.</summary>
    public MountRecord Overlay(string relativeDirectory, ContainerRecord record)
    {
        List<string> lower = Lower(relativeDirectory, record);
        string upper = Path.Combine(relativeDirectory, ContainerSnapshotter.UpperDirectory), work = Path.Combine(relativeDirectory, ContainerSnapshotter.WorkDirectory);
        int length = OverlayMount.OptionsLength(lower, upper, work);
        if (length > OverlayMount.MaxOptionsLength) throw TooManyLayers(record, lower, length);
        return OverlayMount.Build(lower, upper, work, Path.Combine(Paths.Root, relativeDirectory, ContainerSnapshotter.MergedDirectory));
    }

    public void CheckMountable(ContainerRecord record) => Overlay(Path.Combine(Path.GetFileName(Paths.Containers), record.Id), record);

    /// <summary>What does not fit in the kernel's one page of mount options, counted, and what to do about it.</summary>
    private static MiniRunException TooManyLayers(ContainerRecord record, List<string> lower, int length)
    {
        int extra = record.ExtraLayers.Count, over = length - OverlayMount.MaxOptionsLength, drop = 0;
        for (int saved = 0; drop < extra && saved < over; drop++) saved += lower[drop].Length + 1; // a --layer link and its ':'
        int saving = lower.Take(drop).Sum(l => l.Length + 1);
        string todo = extra > 0 && saving >= over ? $"give {drop} --layer {Directories(drop)} fewer"
            : "flatten the image into one layer (minirun export CONTAINER | minirun import - IMAGE) or use fewer --layer directories";
        return new MiniRunException($"too many layers to mount: {record.Layers.Count} image layers, {extra} --layer {Directories(extra)} and the init layer " +
            $"({lower.Count} lower directories) need {length} bytes of overlay mount options, over the kernel's one page ({OverlayMount.MaxOptionsLength}); {todo}");
    }

    private static string Directories(int n) => n == 1 ? "directory" : "directories";

    public void Mount(ISyscalls sys, string relativeDirectory, ContainerRecord record)
    {
        MountRecord overlay = Overlay(relativeDirectory, record);
        // From the record and the short links the options already hold: no layer is looked up again on the way to a start.
        for (int i = 0, count = record.Layers.Count; i < count; i++)
        {
            Digest diffId = Digest.Parse(record.Layers[i], "container " + record.Id);
            string hex = diffId.Hex, diff = Path.Combine("layers", hex, "diff"), link = layers.ShortLink(diffId); // cached by Overlay
            sys.Describe($"mkdir -p {diff} && tar -x -C {diff} -f layer.tar && ln -s ../{diff} {link}",
                $"layer {i + 1}/{count} (sha256:{hex}) was unpacked once when the image was loaded; every container shares it " +
                "(a .wh.NAME entry became `mknod NAME c 0 0`, .wh..wh..opq became `setfattr -n trusted.overlay.opaque -v y DIR`)", alreadyDone: true);
        }
        sys.Explain("overlayfs stacks the layers: the leftmost lowerdir is the top one; writes copy up into upperdir, deletions become 0/0 whiteouts there");
        OverlayMount.Mount(sys, Paths.Root, overlay);
    }

    public List<ContainerChange> Changes(Container container) =>
        ContainerChanges.Read(container.UpperDir, Lower(container.RelativeDirectory, container.Record).Select(d => Path.GetFullPath(d, Paths.Root)).ToList());

    public void WriteChanges(Container container, Stream output) => new DirectoryArchiver(layerWhiteouts: true).Write(container.UpperDir, output);

    public long WritableSize(Container container) => TreeSize.Of(container.UpperDir);

    public Dictionary<string, string>? GraphDriverData(Container container) => new()
    {
        ["LowerDir"] = string.Join(':', Lower(container.RelativeDirectory, container.Record).Select(d => Path.GetFullPath(d, Paths.Root))),
        ["MergedDir"] = container.MergedDir, ["UpperDir"] = container.UpperDir, ["WorkDir"] = container.WorkDir,
    };

    /// <summary>Docker's image GraphDriver: the top layer as UpperDir, the ones below as LowerDir.</summary>
    public Dictionary<string, string>? ImageGraphDriverData(IReadOnlyList<Digest> diffIds)
    {
        List<string> dirs = diffIds.Reverse().Select(d => layers.Get(d).DiffPath).ToList();
        var data = new Dictionary<string, string>();
        if (dirs.Count > 0) data["UpperDir"] = dirs[0];
        if (dirs.Count > 1) data["LowerDir"] = string.Join(':', dirs.Skip(1));
        return data;
    }
}
