using MiniRun.Layers;
using MiniRun.Native;
using MiniRun.Store;

namespace MiniRun.Containers;

/// <summary>
/// The drivers with a full tree per layer (<see cref="LayerTrees"/>), as moby's vfs and btrfs and containerd's native
/// snapshotter: a container's merged/ is a clone of its image's top layer tree (vfs: a full copy) with the init
/// layer's files and the --layer directories laid onto it; it is the root itself, bound onto itself at a start because
/// pivot_root(2) wants a mount point. `diff` and `commit` compare it with the trees below (<see cref="TreeChanges"/>).
/// Only <see cref="ITreeCloner"/> tells vfs and btrfs apart.
/// </summary>
public sealed class TreeSnapshots(LayerStore layers, LayerTrees trees) : ISnapshotDriver
{
    private StorePaths Paths => layers.Paths;

    public string DisplayName => trees.Cloner.Name;

    public void PrepareImage(ISyscalls sys, ContainerRecord record) => trees.Ensure(sys, DiffIds(record));

    public void CheckMountable(ContainerRecord record) { } // no page of mount options to fill

    public void Prepare(ISyscalls sys, string dir, ContainerRecord record)
    {
        string merged = Path.Combine(dir, ContainerSnapshotter.MergedDirectory);
        IReadOnlyList<Digest> diffIds = DiffIds(record);
        if (trees.TopOf(diffIds) is { } top)
        {
            trees.DescribeMade(sys, diffIds);
            sys.Explain($"{trees.Cloner.Name}: the container's root starts as its image's top layer tree, {trees.Cloner.CloneWord}; its writes change only its own tree");
            trees.Cloner.Clone(sys, top, merged);
        }
        else trees.Cloner.CreateEmpty(sys, merged);
        // overlay's order, bottom up: the init layer above the image, the --layer directories above it, the first on top.
        var above = new List<(string Directory, string What)> { (Path.Combine(dir, ContainerSnapshotter.InitDirectory), "the init layer") };
        for (int i = record.ExtraLayers.Count - 1; i >= 0; i--) above.Add((record.ExtraLayers[i], $"--layer {record.ExtraLayers[i]}"));
        foreach ((string directory, string what) in above)
        {
            // The copy is really there unless this is a dry run, whose script makes it: then the script lays the files on too.
            if (Syscalls.TryLStat(merged) is null)
                sys.Describe(LayerTrees.ApplyCommand(directory, merged), $"{what}'s files laid onto the container's tree", alreadyDone: false);
            else
            {
                sys.Explain($"{what}'s files laid onto the container's tree (as the layers' changes are: resolved inside it, a whiteout deletes)");
                trees.Apply(sys, directory, merged, what);
            }
        }
    }

    public void Mount(ISyscalls sys, string relativeDirectory, ContainerRecord record)
    {
        string merged = Path.Combine(Paths.Root, relativeDirectory, ContainerSnapshotter.MergedDirectory);
        sys.Explain($"{trees.Cloner.Name}: nothing to stack, the container's tree is its root; bound onto itself, because pivot_root(2) needs a mount point");
        sys.Mount(merged, merged, null, MountFlags.Bind, null);
    }

    public IReadOnlyList<string> LowerDirs(string relativeDirectory, ContainerRecord record)
    {
        List<string> lower = ContainerSnapshotter.OwnLowerDirs(relativeDirectory, record);
        if (trees.TopOf(DiffIds(record)) is { } top) lower.Add(Path.GetRelativePath(Paths.Root, top));
        return lower;
    }

    public List<ContainerChange> Changes(Container container) => TreeChanges.Read(container.MergedDir, Lowers(container));

    public void WriteChanges(Container container, Stream output) =>
        new DirectoryArchiver(layerWhiteouts: false).WriteChanges(container.MergedDir, Changes(container).Select(c => (c.Path, c.Kind == 'D')), output);

    /// <summary>The bytes of the regular files the container added or changed (moby's naive DiffSize).</summary>
    public long WritableSize(Container container)
    {
        if (InRootResolver.TryOpen(container.MergedDir) is not { } tree) return 0;
        using (tree)
        {
            long size = 0;
            foreach (ContainerChange change in Changes(container).Where(c => c.Kind != 'D'))
            {
                using PathHandle? entry = tree.TryOpenEntry(change.Path); // no symlink of the container's followed
                if (entry?.Status() is { IsRegular: true } status) size += status.Size;
            }
            return size;
        }
    }

    /// <summary>moby's vfs driver has no metadata (GetMetadata returns nil): inspect shows "Data": null.</summary>
    public Dictionary<string, string>? GraphDriverData(Container container) => null;

    public Dictionary<string, string>? ImageGraphDriverData(IReadOnlyList<Digest> diffIds) => null;

    private List<string> Lowers(Container container) =>
        LowerDirs(container.RelativeDirectory, container.Record).Select(d => Path.GetFullPath(d, Paths.Root)).ToList();

    private static List<Digest> DiffIds(ContainerRecord record) => record.Layers.Select(d => Digest.Parse(d, "container " + record.Id)).ToList();
}
