using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>
/// One storage driver behind <see cref="ContainerSnapshotter"/>, as containerd's snapshotters (snapshots/overlay,
/// snapshots/native, snapshots/btrfs) and Docker's graph drivers: how a container's root filesystem is made from its
/// image's layers, mounted, and compared with them. <see cref="OverlaySnapshots"/> stacks the layer directories;
/// <see cref="TreeSnapshots"/> clones a full tree per layer (vfs copies, btrfs snapshots). The container's
/// directory, its init layer and merged/ (the root the container sees) are the same for all.
/// </summary>
public interface ISnapshotDriver
{
    /// <summary>The name `info` and inspect show, as Docker's: "overlay2", "vfs", "btrfs".</summary>
    string DisplayName { get; }

    /// <summary>What an image needs before a container of it is made (vfs: the trees of its layers); nothing for overlay.</summary>
    void PrepareImage(ISyscalls sys, ContainerRecord record);

    /// <summary>Checks, before anything is made, that a container of <paramref name="record"/> can be mounted.</summary>
    void CheckMountable(ContainerRecord record);

    /// <summary>The container's root filesystem in its new directory <paramref name="dir"/>, whose init/ is written.</summary>
    void Prepare(ISyscalls sys, string dir, ContainerRecord record);

    /// <summary>Mounts the root filesystem on merged/ (not mounted yet); <paramref name="relativeDirectory"/> is the container's, from the store root.</summary>
    void Mount(ISyscalls sys, string relativeDirectory, ContainerRecord record);

    /// <summary>The directories below the container's own writes, top first, relative to the store root: what `diff` compares against.</summary>
    IReadOnlyList<string> LowerDirs(string relativeDirectory, ContainerRecord record);

    /// <summary>`diff`: what the container changed, as `docker diff` lists it.</summary>
    List<ContainerChange> Changes(Container container);

    /// <summary>`commit`: the container's changes as a layer tar (OCI whiteouts).</summary>
    void WriteChanges(Container container, Stream output);

    /// <summary>The bytes the container wrote (ps -s, system df): its upper dir, or its changed files.</summary>
    long WritableSize(Container container);

    /// <summary>inspect's GraphDriver.Data for the container, as Docker shows it for this driver (null: vfs has none).</summary>
    Dictionary<string, string>? GraphDriverData(Container container);

    /// <summary>inspect's GraphDriver.Data for an image of these layers (bottom first).</summary>
    Dictionary<string, string>? ImageGraphDriverData(IReadOnlyList<Digest> diffIds);
}
