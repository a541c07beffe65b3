using MiniRun.Native;

namespace MiniRun.Layers;

/// <summary>
/// btrfs: each tree is a subvolume, and a tree made from another is a copy-on-write snapshot of it (`btrfs subvolume
/// snapshot`), as moby's btrfs graph driver and containerd's btrfs snapshotter make layers and containers: instant,
/// and a layer or a container costs only the blocks it changes. A finished layer's tree is read-only (as both make
/// their committed layers), so nothing, root included, writes into an image; a container's tree is a writable snapshot.
/// The store, with its tmp/ where trees are made, must be on one btrfs file system (snapshots do not cross them).
/// </summary>
public sealed class BtrfsSnapshots : ITreeCloner
{
    public string Name => "btrfs";

    public string Directory => "btrfs/subvolumes";

    public void CreateEmpty(ISyscalls sys, string path) => sys.CreateSubvolume(path); // 0755, owned by the caller

    public string CreateCommand(string path) => $"btrfs subvolume create {Explain.ShellQuote.Quote(path)}";

    public void Clone(ISyscalls sys, string source, string target) => sys.SnapshotSubvolume(source, target, readOnly: false);

    public string CloneCommand(string source, string target) =>
        $"btrfs subvolume snapshot {Explain.ShellQuote.Quote(source)} {Explain.ShellQuote.Quote(target)}";

    public string CloneWord => "snapshotted";

    public void Seal(ISyscalls sys, string path) => sys.SetSubvolumeReadOnly(path, readOnly: true);

    public string? SealCommand(string path) => $"btrfs property set {Explain.ShellQuote.Quote(path)} ro true";

    public void Unseal(ISyscalls sys, string path)
    {
        if (BtrfsSubvolumes.IsSubvolume(path)) sys.SetSubvolumeReadOnly(path, readOnly: false);
    }

    public bool RemovedOnItsOwn => true;

    /// <summary>
    /// One ioctl whatever the tree holds, read-only or not (nothing there: nothing done; a dry run's script, which
    /// makes the tree itself, deletes it too); a plain directory where a subvolume was expected goes as rm -rf.
    /// </summary>
    public void Remove(ISyscalls sys, string path)
    {
        if (Syscalls.TryLStat(path) is { IsDirectory: true } && !BtrfsSubvolumes.IsSubvolume(path)) sys.RemoveTree(path);
        else sys.DeleteSubvolume(path);
    }
}
