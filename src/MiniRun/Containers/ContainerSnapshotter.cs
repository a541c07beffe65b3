using MiniRun.Store;
using MiniRun.Layers;
using MiniRun.Native;
using MiniRun.Sandbox;

namespace MiniRun.Containers;

/// <summary>
/// The container's root filesystem, as containerd's overlay snapshotter: the one place the container directory's
/// layout is spelled (<c>init/</c>, <c>diff/</c>, <c>work/</c>, <c>merged/</c>, <c>layer-N</c>), the overlay stack as
/// data (<see cref="Overlay"/>: lowerdir top first), and its preparation, mount and unmount through the seam. Used by
/// run, the dry run, diff, export, inspect, mount and umount.
/// </summary>
public sealed class ContainerSnapshotter(LayerStore layers)
{
    public const string InitDirectory = "init", UpperDirectory = "diff", WorkDirectory = "work", MergedDirectory = "merged";
    /// <summary>An --ipc shareable container's /dev/shm on the host, mounted while it runs (<see cref="ContainerIpc"/>).</summary>
    public const string ShmDirectory = "shm";

    /// <summary>The link to the i-th --layer directory, in the container's directory.</summary>
    public static string ExtraLayerLink(int i) => $"layer-{i}";

    private StorePaths Paths => layers.Paths;

    /// <summary>Makes the container's directories in <paramref name="dir"/> (new and empty): the overlay's, the --layer links and the init layer.</summary>
    public static void Prepare(ISyscalls sys, string dir, ContainerRecord record)
    {
        sys.Explain("the container's own directories: the init layer, upper (its writes), overlay's work dir, the mount point");
        foreach (string name in new[] { InitDirectory, UpperDirectory, WorkDirectory, MergedDirectory }) // in a new directory: one mkdir(2) each
            sys.MakeDirectory(Path.Combine(dir, name), 0x1ed);
        for (int i = 0; i < record.ExtraLayers.Count; i++)
        {
            sys.Explain("--layer: an extra lower directory, above the init layer");
            sys.Symlink(record.ExtraLayers[i], Path.Combine(dir, ExtraLayerLink(i)));
        }
        InitLayer.Write(sys, Path.Combine(dir, InitDirectory), record.Hostname, record.Network, record.ExtraHosts, (record.Dns, record.DnsSearch, record.DnsOptions));
    }

    /// <summary>The lowerdir list, top first, relative to the store root: extra layers, the init layer, the image's layers.</summary>
    public IReadOnlyList<string> LowerDirs(Container container) => LowerDirs(container.RelativeDirectory, container.Record);

    private List<string> LowerDirs(string relativeDirectory, ContainerRecord record)
    {
        var lower = new List<string>();
        for (int i = 0; i < record.ExtraLayers.Count; i++) lower.Add(Path.Combine(relativeDirectory, ExtraLayerLink(i)));
        lower.Add(Path.Combine(relativeDirectory, InitDirectory));
        for (int i = record.Layers.Count - 1; i >= 0; i--)
            lower.Add(layers.ShortLink(Digest.Parse(record.Layers[i], "container " + record.Id)));
        return lower;
    }

    /// <summary>The overlay mount as data, for the container whose directory is <paramref name="relativeDirectory"/> of the store.</summary>
    public MountRecord Overlay(string relativeDirectory, ContainerRecord record)
    {
        List<string> lower = LowerDirs(relativeDirectory, record);
        string upper = Path.Combine(relativeDirectory, UpperDirectory), work = Path.Combine(relativeDirectory, WorkDirectory);
        int length = OverlayMount.OptionsLength(lower, upper, work);
        if (length > OverlayMount.MaxOptionsLength) throw TooManyLayers(record, lower, length);
        return OverlayMount.Build(lower, upper, work, Path.Combine(Paths.Root, relativeDirectory, MergedDirectory));
    }

    /// <summary>Checks, before anything is made, that a container of <paramref name="record"/> can be mounted.</summary>
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

    /// <summary>The image's layers, bottom first, as the record lists them.</summary>
    public IReadOnlyList<Layer> ImageLayers(ContainerRecord record) =>
        record.Layers.Select(d => layers.Get(Digest.Parse(d, "container " + record.Id))).ToList();

    /// <summary>Mounts the container's overlay on merged/ in this mount namespace (visible in `mount`), unless it is mounted.</summary>
    /// <param name="mayBeMounted">false for a container just created (by this process), which cannot be mounted yet.</param>
    public void Mount(ISyscalls sys, Container container, bool mayBeMounted = true) => Mount(sys, container.RelativeDirectory, container.Record, mayBeMounted);

    /// <inheritdoc cref="Mount(ISyscalls, Container, bool)"/>
    public void Mount(ISyscalls sys, string relativeDirectory, ContainerRecord record, bool mayBeMounted)
    {
        MountRecord overlay = Overlay(relativeDirectory, record);
        if (mayBeMounted && OverlayMount.IsMounted(overlay.Target)) return;
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

    /// <summary>Unmounts the overlay if it is mounted; the upper dir keeps what the container changed.</summary>
    public static void Unmount(ISyscalls sys, string merged)
    {
        sys.Explain("unmount the overlay; the upper dir keeps what the container changed");
        OverlayMount.Unmount(sys, merged);
    }
}
