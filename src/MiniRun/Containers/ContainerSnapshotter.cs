using MiniRun.Store;
using MiniRun.Layers;
using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>
/// The container's root filesystem, as containerd's snapshotter: the one place the container directory's layout is
/// spelled (<c>init/</c>, <c>diff/</c>, <c>work/</c>, <c>merged/</c>, <c>layer-N</c>), in front of the store's storage
/// driver (<see cref="ISnapshotDriver"/>: overlay stacks the layer directories, vfs copies full trees). Used by run,
/// the dry run, diff, commit, export, inspect, mount and umount, which never ask which driver it is.
/// </summary>
public sealed class ContainerSnapshotter
{
    public const string InitDirectory = "init", UpperDirectory = "diff", WorkDirectory = "work", MergedDirectory = "merged";
    /// <summary>An --ipc shareable container's /dev/shm on the host, mounted while it runs (<see cref="ContainerIpc"/>).</summary>
    public const string ShmDirectory = "shm";

    private readonly LayerStore _layers;

    public ContainerSnapshotter(LayerStore layers)
    {
        _layers = layers;
        Driver = layers.Trees is { } trees ? new TreeSnapshots(layers, trees) : new OverlaySnapshots(layers);
    }

    /// <summary>The store's driver.</summary>
    public ISnapshotDriver Driver { get; }

    /// <summary>The link to the i-th --layer directory, in the container's directory.</summary>
    public static string ExtraLayerLink(int i) => $"layer-{i}";

    /// <summary>Makes what the image needs before its containers (vfs: its layers' trees, if a load left them unmade).</summary>
    public void PrepareImage(ISyscalls sys, ContainerRecord record) => Driver.PrepareImage(sys, record);

    /// <summary>Makes the container's directories in <paramref name="dir"/> (new and empty): the --layer links, the init layer and the driver's.</summary>
    public void Prepare(ISyscalls sys, string dir, ContainerRecord record)
    {
        sys.Explain("the container's own directories: the init layer and the root filesystem's");
        sys.MakeDirectory(Path.Combine(dir, InitDirectory), 0x1ed);
        for (int i = 0; i < record.ExtraLayers.Count; i++)
        {
            sys.Explain("--layer: an extra lower directory, above the init layer");
            sys.Symlink(record.ExtraLayers[i], Path.Combine(dir, ExtraLayerLink(i)));
        }
        InitLayer.Write(sys, Path.Combine(dir, InitDirectory), record.Hostname, record.Network, record.ExtraHosts, (record.Dns, record.DnsSearch, record.DnsOptions));
        Driver.Prepare(sys, dir, record);
    }

    /// <summary>The container's own layers below its writes, top first, relative to the store root: the --layer links, the init layer.</summary>
    internal static List<string> OwnLowerDirs(string relativeDirectory, ContainerRecord record)
    {
        var lower = new List<string>();
        for (int i = 0; i < record.ExtraLayers.Count; i++) lower.Add(Path.Combine(relativeDirectory, ExtraLayerLink(i)));
        lower.Add(Path.Combine(relativeDirectory, InitDirectory));
        return lower;
    }

    /// <summary>The directories below the container's writes, top first, relative to the store root (overlay: its lowerdir).</summary>
    public IReadOnlyList<string> LowerDirs(Container container) => Driver.LowerDirs(container.RelativeDirectory, container.Record);

    /// <summary>Checks, before anything is made, that a container of <paramref name="record"/> can be mounted.</summary>
    public void CheckMountable(ContainerRecord record) => Driver.CheckMountable(record);

    /// <summary>The image's layers, bottom first, as the record lists them.</summary>
    public IReadOnlyList<Layer> ImageLayers(ContainerRecord record) =>
        record.Layers.Select(d => _layers.Get(Digest.Parse(d, "container " + record.Id))).ToList();

    /// <summary>Mounts the container's root on merged/ in this mount namespace (visible in `mount`), unless it is mounted.</summary>
    /// <param name="mayBeMounted">false for a container just created (by this process), which cannot be mounted yet.</param>
    public void Mount(ISyscalls sys, Container container, bool mayBeMounted = true) => Mount(sys, container.RelativeDirectory, container.Record, mayBeMounted);

    /// <inheritdoc cref="Mount(ISyscalls, Container, bool)"/>
    public void Mount(ISyscalls sys, string relativeDirectory, ContainerRecord record, bool mayBeMounted)
    {
        if (mayBeMounted && OverlayMount.IsMounted(Path.Combine(_layers.Paths.Root, relativeDirectory, MergedDirectory))) return;
        Driver.Mount(sys, relativeDirectory, record);
    }

    /// <summary>Unmounts the root if it is mounted; the container's writes stay (upper dir, or its own tree).</summary>
    public static void Unmount(ISyscalls sys, string merged)
    {
        sys.Explain("unmount the container's root; its writes stay (overlay's upper dir, or its own tree)");
        OverlayMount.Unmount(sys, merged);
    }

    /// <summary>
    /// rm -rf of a container's directory <paramref name="dir"/>, unmounted: its tree first where the driver removes it
    /// on its own (btrfs: merged/ is a subvolume, deleted in one call), then the rest.
    /// </summary>
    public static void RemoveDirectory(ISyscalls sys, StorePaths paths, string dir)
    {
        if (TreeCloners.For(paths.Driver) is { RemovedOnItsOwn: true } cloner)
        {
            sys.Explain($"{cloner.Name}: the container's tree goes first, in one call");
            cloner.Remove(sys, Path.Combine(dir, MergedDirectory));
        }
        sys.RemoveTree(dir);
    }

    /// <summary>`diff`.</summary>
    public List<ContainerChange> Changes(Container container) => Driver.Changes(container);

    /// <summary>`commit`: the changes as a layer tar.</summary>
    public void WriteChanges(Container container, Stream output) => Driver.WriteChanges(container, output);

    /// <summary>The bytes the container wrote (ps -s, system df).</summary>
    public long WritableSize(Container container) => Driver.WritableSize(container);
}
