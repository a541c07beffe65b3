using MiniRun.Native;

namespace MiniRun.Layers;

/// <summary>
/// What tells the drivers that keep a full tree per layer apart (<see cref="LayerTrees"/>): how a tree is made empty,
/// made from another, and removed. vfs copies (<see cref="TreeCopier"/>, `cp -a`); btrfs snapshots a subvolume
/// (`btrfs subvolume snapshot`), so a layer or a container costs only the blocks it changes. Everything else (which
/// tree a layer has, applying its changes, a container's copy, diff against it) is shared.
/// </summary>
public interface ITreeCloner
{
    /// <summary>The driver's name, as `info` and inspect's GraphDriver.Name show it ("vfs", "btrfs").</summary>
    string Name { get; }

    /// <summary>Where the layers' trees live, relative to the store root (Docker: vfs/dir, btrfs/subvolumes).</summary>
    string Directory { get; }

    /// <summary>A new, empty tree at <paramref name="path"/> (its parent exists): the base of an image's first layer.</summary>
    void CreateEmpty(ISyscalls sys, string path);

    /// <summary>What <see cref="CreateEmpty"/> does, as a shell command (--explain, the dry run's script).</summary>
    string CreateCommand(string path);

    /// <summary>A new tree at <paramref name="target"/> (absent, its parent exists) holding exactly what <paramref name="source"/>
    /// holds: owners, modes, times, xattrs, hard links, devices and fifos.</summary>
    void Clone(ISyscalls sys, string source, string target);

    /// <summary>What <see cref="Clone"/> does, as a shell command (--explain, the dry run's script).</summary>
    string CloneCommand(string source, string target);

    /// <summary>What a clone is, in a word: "copied", "snapshotted".</summary>
    string CloneWord { get; }

    /// <summary>A layer's tree, made and not yet published, made unchangeable (btrfs: a read-only subvolume); vfs: nothing.</summary>
    void Seal(ISyscalls sys, string path);

    /// <summary>What <see cref="Seal"/> does, as a shell command; null when it does nothing.</summary>
    string? SealCommand(string path);

    /// <summary>Undoes <see cref="Seal"/> on a tree about to be removed: it is renamed away first, which btrfs refuses a read-only subvolume.</summary>
    void Unseal(ISyscalls sys, string path);

    /// <summary>
    /// Whether a container's tree is removed by <see cref="Remove"/> before the rest of its directory (btrfs: a
    /// subvolume goes in one call); false when rm -rf of the directory removes it as well (vfs).
    /// </summary>
    bool RemovedOnItsOwn { get; }

    /// <summary>Removes a tree made by <see cref="CreateEmpty"/> or <see cref="Clone"/>, with all it holds.</summary>
    void Remove(ISyscalls sys, string path);
}
