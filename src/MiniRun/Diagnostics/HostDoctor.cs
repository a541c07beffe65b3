using MiniRun.Common;
using MiniRun.Native;
using MiniRun.Rootless;
using MiniRun.Sandbox.Cgroups;
using MiniRun.Store;

namespace MiniRun.Diagnostics;

/// <summary>
/// What this machine offers a container runtime, checked the way minirun uses it: root, overlayfs, d_type on the
/// store's filesystem, namespaces, cgroups. Essential failures (Fail) mean `run` cannot work; warnings limit features.
/// </summary>
public static class HostDoctor
{
    private const long OverlayFsMagic = 0x794c7630;

    public static IReadOnlyList<HostCheck> Run(StorePaths paths)
    {
        // overlay's needs are essential only to a store that uses overlay; a vfs store needs only cp, a btrfs store btrfs.
        string driver = StorageDriver.TryRecorded(paths) ?? paths.RequestedDriver ?? StorageDriver.Overlay;
        HostCheck overlay = OverlayFs(), dtype = DirectoryEntryTypes(paths.Root);
        HostCheck storage = StorageDrivers(paths, driver, overlay, dtype);
        if (driver != StorageDriver.Overlay)
            (overlay, dtype) = (Essential(overlay, false), Essential(dtype, false));
        return Syscalls.IsRoot
            ? [Root(), overlay, dtype, storage, Format(paths), Namespaces(), .. Cgroups(), Delegation()]
            : [.. Rootless(), overlay, dtype, storage, Format(paths), Namespaces(), Delegation()];
    }

    private static HostCheck Essential(HostCheck check, bool essential) =>
        !essential && check.Status == CheckStatus.Fail ? check with { Status = CheckStatus.Warn } : check;

    /// <summary>Which storage drivers this machine can use and why, and the one the store uses (--storage-driver).</summary>
    private static HostCheck StorageDrivers(StorePaths paths, string driver, HostCheck overlay, HostCheck dtype)
    {
        bool overlayUsable = overlay.Status == CheckStatus.Ok && dtype.Status != CheckStatus.Fail;
        string? cp = Layers.TreeCopier.FindCp();
        var usable = new List<string>();
        var not = new List<string>();
        (overlayUsable ? usable : not).Add(overlayUsable ? "overlay (overlayfs, d_type)" : $"not overlay ({(overlay.Status != CheckStatus.Ok ? overlay.Found : dtype.Found)})");
        (cp is not null ? usable : not).Add(cp is not null ? $"vfs (full copies with {cp})" : "not vfs (no cp)");
        string? notBtrfs = StorageDriver.NotBtrfs(paths.Root);
        (notBtrfs is null ? usable : not).Add(notBtrfs is null ? "btrfs (the store is on btrfs: snapshots)" : "not btrfs (the store is not on btrfs)");
        bool ok = driver switch { StorageDriver.Overlay => overlayUsable, StorageDriver.Btrfs => notBtrfs is null, _ => cp is not null };
        string found = $"{paths.Root} uses {driver}; this machine can use {string.Join(", ", usable)}{(not.Count > 0 ? "; " + string.Join("; ", not) : "")}";
        if (ok) return new("storage", CheckStatus.Ok, found);
        if (driver == StorageDriver.Btrfs) return new("storage", CheckStatus.Fail, notBtrfs!, "use a store on btrfs (--root DIR) or another storage driver (overlay, vfs)");
        return new("storage", CheckStatus.Fail, found, overlayUsable || cp is null ? "install coreutils" : $"use vfs for a new store: --storage-driver vfs --root DIR");
    }

    public static bool AllEssentialPass(IEnumerable<HostCheck> checks) => checks.All(c => c.Status != CheckStatus.Fail);

    private static HostCheck Root() => Syscalls.IsRoot
        ? new("root", CheckStatus.Ok, "running as root (mounts, namespaces and cgroups need it)")
        : new("root", CheckStatus.Fail, "not running as root", "run minirun with sudo");

    /// <summary>An ordinary user: rootless mode, its ID maps and what it cannot do (limits).</summary>
    private static IEnumerable<HostCheck> Rootless()
    {
        (int uid, int gid) = Syscalls.EffectiveIds;
        RootlessIdMaps maps = RootlessIdMaps.OfHostUser(uid, gid);
        string user = RootlessUser.Name(new RootlessMode(uid, gid));
        string release = KernelFiles.TryReadAll("/proc/sys/kernel/osrelease")?.Trim() ?? "";
        if (RootlessLauncher.KernelProblem(release) is { } problem) yield return new("kernel", CheckStatus.Fail, problem);
        yield return maps.HasRanges
            ? new("rootless", CheckStatus.Ok, $"not root: rootless mode for {user}, uids 0={uid} 1..{maps.Uids!.Count}={maps.Uids.Start}.., gids 0={gid} 1..{maps.Gids!.Count}={maps.Gids.Start}.. (newuidmap, newgidmap)")
            : new("rootless", CheckStatus.Warn, $"not root: rootless mode for {user} with one ID (no range in {SubordinateIds.UidFile} and {SubordinateIds.GidFile})",
                $"usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {user}");
        if (maps.HasRanges && !File.Exists(RootlessIdMaps.NewUidMap))
            yield return new("uidmap", CheckStatus.Fail, $"{RootlessIdMaps.NewUidMap} is missing", "apt-get install uidmap");
        yield return new("network", CheckStatus.Warn, "rootless containers have host or none networks (no user-mode network stack yet)");
    }

    private static HostCheck OverlayFs()
    {
        bool present = File.ReadLines("/proc/filesystems").Any(l => l.Split('\t').LastOrDefault() == "overlay");
        return present
            ? new("overlayfs", CheckStatus.Ok, "overlay is listed in /proc/filesystems")
            : new("overlayfs", CheckStatus.Fail, "overlay is not in /proc/filesystems", "sudo modprobe overlay (CONFIG_OVERLAY_FS)");
    }

    /// <summary>overlayfs needs d_type (readdir(3) naming each entry's type): a file is created in the store and read back.</summary>
    private static HostCheck DirectoryEntryTypes(string storeRoot)
    {
        string dir = storeRoot;
        while (!Directory.Exists(dir)) dir = Path.GetDirectoryName(dir) ?? "/";
        string probe = $".doctor-{Guid.NewGuid():N}";
        try
        {
            File.WriteAllBytes(Path.Combine(dir, probe), []);
            int type = KernelFiles.DirectoryEntryType(dir, probe);
            long fsType = KernelFiles.FileSystemType(dir);
            if (fsType == OverlayFsMagic)
                return new("d_type", CheckStatus.Fail, $"{dir} is on overlayfs, which cannot hold overlay upper directories",
                    "put the store on ext4 or xfs: --root DIR or $MINIRUN_ROOT");
            return type == Libc.DT_REG
                ? new("d_type", CheckStatus.Ok, $"{dir} is on {KernelFiles.FileSystemName(fsType)}, which reports d_type")
                : new("d_type", CheckStatus.Fail, $"{dir} is on {KernelFiles.FileSystemName(fsType)}, which does not report d_type",
                    "use ext4, or xfs formatted with ftype=1, for the store (--root DIR)");
        }
        catch (Exception e) when (e is MiniRunException or IOException or UnauthorizedAccessException)
        {
            return new("d_type", CheckStatus.Warn, $"cannot test {dir}: {UserMessages.Describe(e)}", "run as root, or point --root at a writable directory");
        }
        finally
        {
            File.Delete(Path.Combine(dir, probe));
        }
    }

    /// <summary>The store's format, read and not migrated: the doctor changes nothing.</summary>
    private static HostCheck Format(StorePaths paths)
    {
        int? format;
        try
        {
            format = StoreFormat.TryRead(paths);
            StoreFormat.EnsureKnown(paths, format);
        }
        catch (MiniRunException e)
        {
            return new("store", CheckStatus.Fail, e.Message);
        }
        if (format == StoreFormat.Current) return new("store", CheckStatus.Ok, $"{paths.Root}: format {format}");
        return Directory.Exists(paths.Layers)
            ? new("store", CheckStatus.Ok, $"{paths.Root}: format {format ?? StoreFormat.Unversioned}, migrated to {StoreFormat.Current} by the next command")
            : new("store", CheckStatus.Ok, $"{paths.Root}: not made yet (the first command makes it, format {StoreFormat.Current})");
    }

    private static HostCheck Namespaces()
    {
        string[] needed = ["mnt", "uts", "ipc", "pid", "net"];
        var missing = needed.Where(ns => !File.Exists("/proc/self/ns/" + ns) && !Directory.Exists("/proc/self/ns/" + ns)).ToList();
        return missing.Count == 0
            ? new("namespaces", CheckStatus.Ok, "mount, uts, ipc, pid and net namespaces available")
            : new("namespaces", CheckStatus.Fail, "missing: " + string.Join(' ', missing), "a kernel with CONFIG_NAMESPACES and each CONFIG_*_NS");
    }

    private static IEnumerable<HostCheck> Cgroups()
    {
        CgroupLayout layout = CgroupDetector.ReadLayout();
        ICgroupManager? manager;
        try
        {
            manager = CgroupDetector.Detect();
        }
        catch (MiniRunException e)
        {
            return [new("cgroups", CheckStatus.Fail, e.Message, $"unset ${CgroupDetector.OverrideVariable}")];
        }
        if (manager is null)
            return [new("cgroups", CheckStatus.Warn, "no cgroup filesystem is mounted: --memory, --pids-limit and --cpus will fail",
                "mount cgroup2 on /sys/fs/cgroup (mount -t cgroup2 none /sys/fs/cgroup)")];

        string where = layout.Kind == "hybrid" && manager.Version == "v1"
            ? $"hybrid: v1 controllers are used; the cgroup2 mount at {layout.V2MountPoint} offers [{string.Join(' ', new CgroupV2Manager(layout.V2MountPoint!).Controllers)}]"
            : layout.Kind;
        var checks = new List<HostCheck> { new("cgroups", CheckStatus.Ok, $"cgroup {manager.Version} ({where}); controllers: {string.Join(' ', manager.Controllers)}") };
        string[] wanted = ["memory", "pids", "cpu"];
        var missing = wanted.Where(c => !manager.Controllers.Contains(c)).ToList();
        checks.Add(missing.Count == 0
            ? new("limits", CheckStatus.Ok, "memory, pids and cpu controllers usable: --memory, --pids-limit, --cpus, --cpu-shares work")
            : new("limits", CheckStatus.Warn, $"no {string.Join(", ", missing)} controller: the matching flags will fail",
                manager.Version == "v2" ? "enable them in cgroup.subtree_control, or free them from v1 hierarchies" : "mount the missing v1 controllers"));
        checks.Add(SwapAccounting(manager));
        checks.Add(manager.Version == "v2"
            ? new("devices", CheckStatus.Ok, "cgroup v2: the container's device allow-list is enforced by a BPF_PROG_TYPE_CGROUP_DEVICE program attached to its group")
            : manager.Controllers.Contains("devices")
                ? new("devices", CheckStatus.Ok, "devices controller: the container's device allow-list is enforced")
                : new("devices", CheckStatus.Warn, "no devices controller in the v1 hierarchies: only the created nodes exist, and a node made inside opens",
                    "mount the devices controller (mount -t cgroup -o devices cgroup /sys/fs/cgroup/devices)"));
        return checks;
    }

    /// <summary>
    /// Which limits a user without root could have (rootless mode): only a cgroup v2 subtree delegated to the user. Read
    /// for the user who runs the doctor, or the one behind sudo ($SUDO_UID); a warning only, root's limits do not need it.
    /// </summary>
    private static HostCheck Delegation()
    {
        int uid = Syscalls.IsRoot && int.TryParse(Environment.GetEnvironmentVariable("SUDO_UID"), out int sudo) ? sudo : Syscalls.EffectiveIds.Uid;
        CgroupDelegation delegation = CgroupDelegation.Read(CgroupDetector.ReadLayout().V2MountPoint, KernelFiles.TryReadAll("/proc/self/cgroup") ?? "", uid);
        string[] wanted = ["memory", "pids", "cpu"];
        if (delegation.Why is null && wanted.All(delegation.Controllers.Contains))
            return new("delegation", CheckStatus.Ok, $"{delegation.Directory} is delegated to uid {uid} with memory, pids and cpu: rootless containers take the same limit flags as root's");
        string why = delegation.Why ?? $"uid {uid}'s cgroup v2 group ({delegation.Directory}) offers only [{string.Join(' ', delegation.Controllers)}]";
        return new("delegation", CheckStatus.Warn, $"{why}: rootless containers refuse --memory, --pids-limit and --cpus (root's work)",
            "a cgroup v2 machine (systemd.unified_cgroup_hierarchy=1) whose user sessions are delegated (Delegate=yes, the default for user@.service)");
    }

    private static HostCheck SwapAccounting(ICgroupManager manager)
    {
        string file = manager.Version == "v1" ? "memory.memsw.limit_in_bytes" : "memory.swap.max";
        string root = manager.Version == "v1" ? manager.Directories("").FirstOrDefault(d => File.Exists(Path.Combine(d, "memory.limit_in_bytes"))) ?? ""
            : manager.Directories("")[0];
        bool present = root.Length > 0 && (File.Exists(Path.Combine(root, file)) || Directory.EnumerateDirectories(root).Any(d => File.Exists(Path.Combine(d, file))));
        return present
            ? new("swap", CheckStatus.Ok, $"swap accounting ({file}): --memory limits memory and swap together")
            : new("swap", CheckStatus.Warn, $"no {file}: with swap enabled, --memory does not bound swap", "boot with swapaccount=1 (v1) or CONFIG_MEMCG_SWAP");
    }
}
