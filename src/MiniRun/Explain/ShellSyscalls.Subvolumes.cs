namespace MiniRun.Explain;

/// <summary>
/// The btrfs subvolume calls as the btrfs-progs commands that make the same ioctls; their "Create a snapshot of …"
/// lines go to /dev/null, so that a dry run's script prints what the run prints.
/// </summary>
public abstract partial class ShellSyscalls
{
    public void CreateSubvolume(string path)
    {
        Print($"btrfs subvolume create {Q(path)} >/dev/null", "a new, empty btrfs subvolume: a tree of files of its own, which can be snapshotted");
        Do(s => s.CreateSubvolume(path));
    }

    public void SnapshotSubvolume(string source, string destination, bool readOnly)
    {
        Print($"btrfs subvolume snapshot {(readOnly ? "-r " : "")}{Q(source)} {Q(destination)} >/dev/null",
            "a copy-on-write snapshot: the same files at once, each extent shared until one side writes it" + (readOnly ? "; read-only" : ""));
        Do(s => s.SnapshotSubvolume(source, destination, readOnly));
    }

    public void SetSubvolumeReadOnly(string path, bool readOnly)
    {
        Print($"btrfs property set {Q(path)} ro {(readOnly ? "true" : "false")}",
            readOnly ? "the subvolume becomes read-only: every write to it fails (EROFS)" : "the subvolume becomes writable again");
        Do(s => s.SetSubvolumeReadOnly(path, readOnly));
    }

    public bool DeleteSubvolume(string path)
    {
        Print($"btrfs subvolume delete {Q(path)} >/dev/null", "remove the subvolume and all it holds (its space comes back in the background)");
        return Do(s => s.DeleteSubvolume(path), true);
    }
}
