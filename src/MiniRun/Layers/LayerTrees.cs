using MiniRun.Explain;
using MiniRun.Native;

namespace MiniRun.Layers;

/// <summary>
/// The full tree of each layer of an image, for the drivers that have no overlay (vfs, btrfs): the tree of layer N is
/// the tree of layer N-1 cloned (<see cref="ITreeCloner"/>: a copy, a snapshot) with layer N's changes applied onto it
/// (image-spec layer.md "Applying Changesets": a whiteout deletes, an opaque directory loses what was below). A tree
/// is named by its ChainID (image-spec config.md), because the same layer on another parent is another tree; it is
/// made under tmp/ and published by one rename, so a reader sees all of it or nothing. The layer's own directory
/// (<see cref="LayerStore"/>, overlay form) stays the source of truth: save, commit and `system check` read it.
/// </summary>
public sealed class LayerTrees(LayerStore layers, ITreeCloner cloner)
{
    public ITreeCloner Cloner { get; } = cloner;

    /// <summary>The directory of every tree, e.g. &lt;root&gt;/vfs/dir.</summary>
    public string Root => Path.Combine(layers.Paths.Root, Cloner.Directory);

    /// <summary>ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)) (image-spec config.md).</summary>
    public static IReadOnlyList<Digest> ChainIds(IReadOnlyList<Digest> diffIds)
    {
        var chain = new List<Digest>(diffIds.Count);
        foreach (Digest diffId in diffIds)
            chain.Add(chain.Count == 0 ? diffId : Digest.Of(System.Text.Encoding.ASCII.GetBytes($"{chain[^1]} {diffId}")));
        return chain;
    }

    /// <summary>Where the tree of the chain <paramref name="chainId"/> lives (whether or not it is made).</summary>
    public string PathOf(Digest chainId) => Path.Combine(Root, chainId.Hex);

    /// <summary>The tree of the image whose layers are <paramref name="diffIds"/> (bottom first), or null for an image without layers.</summary>
    public string? TopOf(IReadOnlyList<Digest> diffIds) => diffIds.Count == 0 ? null : PathOf(ChainIds(diffIds)[^1]);

    /// <summary>Makes the trees of <paramref name="diffIds"/>' chain that are missing, bottom first; returns the top one.</summary>
    public string? Ensure(ISyscalls sys, IReadOnlyList<Digest> diffIds)
    {
        IReadOnlyList<Digest> chain = ChainIds(diffIds);
        string? parent = null;
        for (int i = 0; i < chain.Count; i++)
        {
            string tree = PathOf(chain[i]);
            if (Syscalls.TryLStat(tree) is null) Make(sys, parent, layers.Get(diffIds[i]), tree);
            parent = tree;
        }
        return parent;
    }

    /// <summary>Says, for --explain and --dry-run, that the image's trees were made when it was stored; refuses when one was not.</summary>
    public void DescribeMade(ISyscalls sys, IReadOnlyList<Digest> diffIds)
    {
        IReadOnlyList<Digest> chain = ChainIds(diffIds);
        for (int i = 0; i < chain.Count; i++)
        {
            string tree = PathOf(chain[i]), layer = layers.Get(diffIds[i]).DiffPath;
            if (Syscalls.TryLStat(tree) is null)
                throw new MiniRunException($"the {Cloner.Name} tree of layer {diffIds[i]} is not made yet: run the image once (or load it again) first");
            string seal = Cloner.SealCommand(tree) is { } command ? " && " + command : "";
            sys.Describe((i == 0 ? Cloner.CreateCommand(tree) : Cloner.CloneCommand(PathOf(chain[i - 1]), tree)) + $" && {ApplyCommand(layer, tree)}{seal}",
                $"layer {i + 1}/{chain.Count}: {(i == 0 ? "an empty tree" : "the tree of the layer below, " + Cloner.CloneWord)} with this layer's changes applied " +
                "(a .wh.NAME entry deleted NAME, .wh..wh..opq emptied its directory)" + (seal.Length > 0 ? ", then made read-only" : "") + "; made once, when the image was stored", alreadyDone: true);
        }
    }

    /// <summary>Removes the trees whose chain no image in <paramref name="images"/> has (after rmi or prune).</summary>
    public void Prune(IEnumerable<IReadOnlyList<Digest>> images)
    {
        if (!System.IO.Directory.Exists(Root)) return;
        HashSet<string> used = images.SelectMany(ChainIds).Select(c => c.Hex).ToHashSet(StringComparer.Ordinal);
        foreach (string tree in System.IO.Directory.EnumerateDirectories(Root))
        {
            if (used.Contains(Path.GetFileName(tree))) continue;
            // Unpublished by a rename first, so that no container is made from half a tree; writable again for it
            // (btrfs: a read-only subvolume cannot move to another directory).
            Cloner.Unseal(LinuxSyscalls.Instance, tree);
            string doomed = layers.Paths.NewTempPath("removed-tree");
            if (Syscalls.TryRenameNoReplace(tree, doomed)) Cloner.Remove(LinuxSyscalls.Instance, doomed);
        }
    }

    /// <summary>A layer directory (overlay form) applied onto a tree, as a shell pipe: tar replaces a directory's symlink with the directory, as the unpacker does.</summary>
    public static string ApplyCommand(string layerDirectory, string tree) => $"tar -C {Q(layerDirectory)} -c . | tar -C {Q(tree)} -xp";

    private void Make(ISyscalls sys, string? parent, Layer layer, string tree)
    {
        layers.Paths.EnsureCreated();
        Syscalls.TryMakeDirectory(Path.Combine(layers.Paths.Root, Cloner.Directory.Split('/')[0]), Store.StorePaths.PrivateMode);
        Syscalls.TryMakeDirectory(Root, Store.StorePaths.PrivateMode);
        string temp = layers.Paths.NewTempPath("tree");
        bool published = false;
        try
        {
            if (parent is null)
            {
                sys.Explain($"the {Cloner.Name} tree of the image's first layer starts empty");
                Cloner.CreateEmpty(sys, temp);
            }
            else
            {
                sys.Explain($"the {Cloner.Name} tree of a layer starts as the tree of the layer below it");
                Cloner.Clone(sys, parent, temp);
            }
            Apply(sys, layer.DiffPath, temp, $"layer {layer.DiffId}");
            sys.Explain("publish the tree with one rename: a container is made from all of it or none");
            published = sys.RenameNoReplace(temp, tree);
            // btrfs: read-only from here, as a layer is (containers write their own snapshots); after the rename,
            // because a read-only subvolume cannot move to another directory (its ".." would change: EROFS).
            if (published) Cloner.Seal(sys, tree);
        }
        finally
        {
            if (!published && Syscalls.TryLStat(temp) is not null) Cloner.Remove(LinuxSyscalls.Instance, temp);
        }
    }

    /// <summary>
    /// Lays the files of <paramref name="layerDirectory"/> (overlay form: 0/0 whiteouts, opaque xattrs) onto the tree:
    /// archived as the layer tar it came from and unpacked onto the tree, every path resolved inside it, so a symlink
    /// of the image never leads a write out of the tree.
    /// </summary>
    public void Apply(ISyscalls sys, string layerDirectory, string tree, string source)
    {
        sys.Describe(ApplyCommand(layerDirectory, tree), "the layer's changes applied onto the tree: a whiteout deletes, an opaque directory loses what was below",
            alreadyDone: true);
        string tar = layers.Paths.NewTempPath("apply") + ".tar";
        try
        {
            using (var output = new FileStream(tar, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                new DirectoryArchiver(layerWhiteouts: true).Write(layerDirectory, output);
            using var input = new FileStream(tar, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            new LayerUnpacker(tree, source, LinuxSyscalls.Instance, ontoTree: true).Unpack(input);
        }
        finally
        {
            File.Delete(tar);
        }
    }

    private static string Q(string path) => ShellQuote.Quote(path);
}
