using MiniRun.Native;

namespace MiniRun.Store;

/// <summary>
/// Brings a store of an older format to <see cref="StoreFormat.Current"/>, once, under the store's exclusive lock: the
/// first command of a newer MiniRun waits for the commands that hold the store, migrates it, and every other command
/// waiting meanwhile finds it migrated. Each step's format is recorded after it, so a crash resumes at that step.
/// </summary>
public static class StoreMigrations
{
    /// <summary>Every step, in order; the last one's <see cref="StoreMigration.To"/> is <see cref="StoreFormat.Current"/>.</summary>
    public static readonly IReadOnlyList<StoreMigration> Steps =
    [
        // MiniRun before the format file made its store 0755 all the way down (issue 14, the CVE-2021-41091 class).
        new(1, "its directories are closed to other users (0710 and 0700, as Docker's since CVE-2021-41091)", CloseDirectories),
        // Issue 16: a container's directory is an OCI bundle, whose config.json is the runtime spec each start writes.
        new(2, "each container's record is config.v2.json, as Docker names it; config.json is now the container's OCI runtime spec",
            RenameContainerRecords),
    ];

    /// <summary>
    /// Makes a new store at the current format, or migrates an older one; returns the steps this call applied (none for
    /// a new store, or when another process migrated it first). Throws when the store is newer than this MiniRun.
    /// </summary>
    public static IReadOnlyList<StoreMigration> Run(StorePaths paths)
    {
        if (Path.GetDirectoryName(paths.Root) is { } parent) Directory.CreateDirectory(parent);
        Syscalls.TryMakeDirectory(paths.Root, StorePaths.PrivateMode);
        using FileLock exclusive = paths.LockExclusiveWhileOpening();
        int? recorded = StoreFormat.TryRead(paths); // again: another process may have migrated it while we waited
        StoreFormat.EnsureKnown(paths, recorded);
        bool isNew = recorded is null && !Directory.Exists(paths.Layers); // a store of format 1 has its layers/ since its first use
        paths.MakeDirectories();
        if (isNew)
        {
            StoreFormat.Write(paths, StoreFormat.Current);
            return [];
        }
        var applied = new List<StoreMigration>();
        foreach (StoreMigration step in Steps)
        {
            if (step.From < (recorded ?? StoreFormat.Unversioned)) continue;
            step.Apply(paths);
            CrashPoint.Reach("store-migrating");
            StoreFormat.Write(paths, step.To);
            applied.Add(step);
        }
        return applied;
    }

    /// <summary>2 → 3: each rename is atomic, and a directory already renamed is skipped, so a crash midway resumes.</summary>
    private static void RenameContainerRecords(StorePaths paths)
    {
        foreach (string dir in Directory.EnumerateDirectories(paths.Containers))
        {
            string old = Path.Combine(dir, "config.json"), record = Path.Combine(dir, StorePaths.ContainerRecordFile);
            if (File.Exists(old) && !File.Exists(record)) File.Move(old, record);
        }
    }

    /// <summary>1 → 2: each of the store's own directories gets its mode; the root closes everything below it, so no walk.</summary>
    private static void CloseDirectories(StorePaths paths)
    {
        foreach ((string dir, uint mode) in paths.OwnDirectories) Syscalls.Chmod(dir, mode);
    }
}
