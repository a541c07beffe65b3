using MiniRun.Native;

namespace MiniRun.Store;

/// <summary>
/// Which storage driver a store uses, chosen when the store is made (--storage-driver, $MINIRUN_STORAGE_DRIVER) and
/// remembered in the file <c>storage-driver</c> at its root, as Docker's daemon and Podman's storage.conf pick one
/// graph driver per root: its layers and containers are laid out for that driver only, so another is refused.
/// </summary>
public static class StorageDriver
{
    /// <summary>Today's driver and the default: image layers stacked by one overlay mount per container.</summary>
    public const string Overlay = "overlay";

    /// <summary>Each layer a full copy of its parent plus its changes, each container a full copy (Docker's vfs): the fallback.</summary>
    public const string Vfs = "vfs";

    /// <summary>Each layer a read-only btrfs snapshot of its parent plus its changes, each container a writable snapshot (Docker's btrfs).</summary>
    public const string Btrfs = "btrfs";

    /// <summary>The drivers this MiniRun has, the default first.</summary>
    public static IReadOnlyList<string> Known { get; } = [Overlay, Vfs, Btrfs];

    /// <summary>The environment variable that chooses a driver when --storage-driver does not.</summary>
    public const string EnvironmentVariable = "MINIRUN_STORAGE_DRIVER";

    public const string FileName = "storage-driver";

    /// <summary>A driver's name as given, checked: one line naming the choices when it is none of them.</summary>
    public static string Check(string name, string origin)
    {
        string trimmed = name.Trim();
        if (trimmed == "overlay2") return Overlay; // Docker's name for the same layout
        if (Known.Contains(trimmed)) return trimmed;
        throw new MiniRunException($"{origin}: unknown storage driver \"{name}\": choose {string.Join(", ", Known.Take(Known.Count - 1))} or {Known[^1]}");
    }

    /// <summary>The driver the store records, read and not recorded (the doctor changes nothing); null when it records none.</summary>
    public static string? TryRecorded(StorePaths paths) => KernelFiles.TryReadFirstLine(Path.Combine(paths.Root, FileName))?.Trim();

    /// <summary>
    /// The driver of the store at <paramref name="paths"/>, its directories made: the recorded one, checked against
    /// <paramref name="requested"/>; a store without the record takes the requested driver when it holds no layer and
    /// no container yet, and is an overlay store otherwise (every store made before drivers were). Recorded either way.
    /// </summary>
    internal static string Open(StorePaths paths, string? requested)
    {
        string file = Path.Combine(paths.Root, FileName);
        if (KernelFiles.TryReadFirstLine(file) is { } recorded)
        {
            string driver = Check(recorded, file);
            if (requested is not null && requested != driver) throw Mismatch(paths, driver, requested);
            CheckFileSystem(paths.Root, driver);
            return driver;
        }
        bool empty = IsEmpty(paths.Layers) && IsEmpty(paths.Containers);
        string chosen = empty ? requested ?? Overlay : Overlay;
        if (requested is not null && requested != chosen) throw Mismatch(paths, chosen, requested);
        CheckFileSystem(paths.Root, chosen);
        AtomicFile.WriteAllBytes(file, System.Text.Encoding.ASCII.GetBytes(chosen + "\n"), durable: true);
        return chosen;
    }

    /// <summary>
    /// Refuses btrfs for a store that is not on btrfs, in one line (what `doctor` says too): its layers and containers
    /// are subvolumes and snapshots of each other. <paramref name="path"/> may not exist yet: the nearest directory
    /// above it that does tells where it will be. A store under tmp/ and the trees are all below the root, on its file system.
    /// </summary>
    public static void CheckFileSystem(string path, string? driver)
    {
        if (driver != Btrfs || NotBtrfs(path) is not { } found) return;
        throw new MiniRunException(found + ": use a store on btrfs (--root DIR) or another storage driver (overlay, vfs)");
    }

    /// <summary>Why the btrfs driver cannot use a store at <paramref name="path"/> ("… is on ext4, not btrfs"), or null when it can.</summary>
    public static string? NotBtrfs(string path)
    {
        string existing = Path.GetFullPath(path);
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent) existing = parent;
        long type = KernelFiles.FileSystemType(existing);
        return BtrfsSubvolumes.IsBtrfs(existing) ? null
            : $"the btrfs storage driver needs its store on a btrfs file system, and {path} is on {KernelFiles.FileSystemName(type)}";
    }

    /// <summary>Podman's "database graph driver does not match": which the store uses and how to have the other.</summary>
    private static MiniRunException Mismatch(StorePaths paths, string driver, string requested) =>
        new($"the store at {paths.Root} uses the {driver} storage driver, not {requested}: drop --storage-driver (and ${EnvironmentVariable}) to use it, " +
            $"or give {requested} a store of its own (--root DIR)");

    private static bool IsEmpty(string directory) => !Directory.Exists(directory) || !Directory.EnumerateFileSystemEntries(directory).Any();
}
