using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The filesystems a container gets inside its root, as Docker/runc's defaults set them up:
/// /proc, a tmpfs /dev with the standard nodes, devpts, /dev/shm, /dev/mqueue and a read-only /sys.
/// </summary>
public static class ContainerMounts
{
    /// <param name="privileged">--privileged leaves /sys writable, as Docker does.</param>
    public static List<MountRecord> Build(string rootfs, bool privileged = false) =>
    [
        new("proc", "proc", Path.Combine(rootfs, "proc"), MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec),
        new("tmpfs", "tmpfs", Path.Combine(rootfs, "dev"), MountFlags.NoSuid | MountFlags.StrictAtime, "mode=755,size=65536k"),
        // newinstance: the container's ptys are its own, not the host's (devpts.rst).
        new("devpts", "devpts", Path.Combine(rootfs, "dev/pts"), MountFlags.NoSuid | MountFlags.NoExec, "newinstance,ptmxmode=0666,mode=0620,gid=5"),
        new("tmpfs", "shm", Path.Combine(rootfs, "dev/shm"), MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec, "mode=1777,size=65536k"),
        new("mqueue", "mqueue", Path.Combine(rootfs, "dev/mqueue"), MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec),
        new("sysfs", "sysfs", Path.Combine(rootfs, "sys"),
            MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec | (privileged ? MountFlags.None : MountFlags.ReadOnly)),
    ];

    /// <summary>The device nodes runc creates by default (mode 0666 character devices).</summary>
    public static List<DeviceNode> Devices() =>
    [
        new("dev/null", 1, 3, 0x1b6),
        new("dev/zero", 1, 5, 0x1b6),
        new("dev/full", 1, 7, 0x1b6),
        new("dev/random", 1, 8, 0x1b6),
        new("dev/urandom", 1, 9, 0x1b6),
        new("dev/tty", 5, 0, 0x1b6),
    ];

    /// <summary>runc's /dev links; /dev/core only where the kernel has a /proc/kcore for it to point at.</summary>
    public static List<SymlinkSpec> Symlinks(bool withCore = true) =>
    [
        new("dev/fd", "/proc/self/fd"),
        new("dev/stdin", "/proc/self/fd/0"),
        new("dev/stdout", "/proc/self/fd/1"),
        new("dev/stderr", "/proc/self/fd/2"),
        new("dev/ptmx", "pts/ptmx"),
        .. withCore ? [new SymlinkSpec("dev/core", "/proc/kcore")] : Array.Empty<SymlinkSpec>(),
    ];

    /// <summary>Docker's masked paths (moby oci/defaults.go MaskedPaths): hidden under /dev/null or an empty read-only tmpfs.</summary>
    public static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
    ];

    /// <summary>Docker's read-only paths (moby oci/defaults.go ReadonlyPaths).</summary>
    public static readonly IReadOnlyList<string> ReadOnlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>
    /// The masking mounts, as runc does them: a file gets /dev/null bound over it, a directory an empty read-only tmpfs.
    /// <paramref name="kindOf"/> says whether a container path is a directory (true), another file (false) or absent (null);
    /// /proc and /sys show the same kernel inside and out, so the parent asks the host's.
    /// </summary>
    /// <param name="paths">the container paths to mask (config.json's linux.maskedPaths); null: Docker's.</param>
    public static List<MountRecord> Masks(string rootfs, Func<string, bool?> kindOf, IReadOnlyList<string>? paths = null)
    {
        var mounts = new List<MountRecord>();
        var hidden = new List<string>();
        foreach (string path in paths ?? MaskedPaths)
        {
            if (!path.StartsWith('/')) throw new MiniRunException($"config.json: linux.maskedPaths ({path}): a path is absolute");
            // Below a directory masked already, it is hidden by that empty tmpfs (and could not be made there).
            if (hidden.Exists(dir => path.StartsWith(dir + "/", StringComparison.Ordinal))) continue;
            bool? isDirectory = kindOf(path);
            if (isDirectory == true) hidden.Add(path.TrimEnd('/'));
            string target = Path.Combine(rootfs, path[1..]);
            if (isDirectory == true) mounts.Add(new("tmpfs", "tmpfs", target, MountFlags.ReadOnly));
            else if (isDirectory == false) mounts.Add(new("bind", Path.Combine(rootfs, "dev/null"), target, MountFlags.Bind));
        }
        return mounts;
    }

    /// <summary>Each read-only path is bound onto itself, then that bind is remounted read-only (mount(2): MS_REMOUNT|MS_BIND|MS_RDONLY).</summary>
    /// <param name="paths">the container paths (config.json's linux.readonlyPaths); null: Docker's.</param>
    public static List<MountRecord> ReadOnly(string rootfs, Func<string, bool?> kindOf, IReadOnlyList<string>? paths = null)
    {
        var mounts = new List<MountRecord>();
        foreach (string path in paths ?? ReadOnlyPaths)
        {
            if (!path.StartsWith('/')) throw new MiniRunException($"config.json: linux.readonlyPaths ({path}): a path is absolute");
            if (kindOf(path) is null) continue;
            string target = Path.Combine(rootfs, path[1..]);
            mounts.Add(new("bind", target, target, MountFlags.Bind | MountFlags.Recursive));
            // The proc mount's own flags are kept: a remount that dropped nosuid/nodev/noexec would be refused in a user namespace.
            mounts.Add(new("bind", target, target,
                MountFlags.Remount | MountFlags.Bind | MountFlags.ReadOnly | MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec));
        }
        return mounts;
    }

    /// <summary>With a terminal, Docker's /dev/console is that terminal bound in (runc mounts the pty slave there).</summary>
    public static MountRecord Console(string rootfs, string terminal) => new("bind", terminal, Path.Combine(rootfs, "dev/console"), MountFlags.Bind);

    /// <summary>--read-only: "/" remounted read-only once the container is inside it.</summary>
    public static MountRecord ReadOnlyRoot() => new("bind", "/", "/", MountFlags.Remount | MountFlags.Bind | MountFlags.ReadOnly);

    /// <summary>
    /// Targets inside /proc and /sys exist once those are mounted (the parent masks only what the host has, and the
    /// kernel is the same): the init stage never creates, nor even looks for, them.
    /// </summary>
    public static bool IsKernelProvided(string rootfs, string target)
    {
        if (!target.StartsWith(rootfs, StringComparison.Ordinal)) return false;
        ReadOnlySpan<char> inside = target.AsSpan(rootfs.Length).TrimStart('/'); // checked for every mount: no strings made
        return inside.StartsWith("proc/", StringComparison.Ordinal) || inside.StartsWith("sys/", StringComparison.Ordinal);
    }

    /// <summary>
    /// /dev, /proc, /sys and what lies below /dev: where the runtime mounts kernel filesystems and makes files by path,
    /// so these must be real directories of the image (<see cref="InitSequence"/> refuses a symlink on the way).
    /// </summary>
    public static bool IsSystemPath(string rootfs, string target)
    {
        if (target.Length <= rootfs.Length || target[rootfs.Length] != '/' || !target.StartsWith(rootfs, StringComparison.Ordinal)) return false;
        ReadOnlySpan<char> inside = target.AsSpan(rootfs.Length + 1);
        return inside is "dev" or "proc" or "sys" || inside.StartsWith("dev/", StringComparison.Ordinal);
    }

    /// <summary>What a host path is (true = directory), or null when it does not exist; symlinks are not followed.</summary>
    public static bool? HostKind(string path) => Syscalls.TryLStat(path) is { } status ? status.IsDirectory : null;

    /// <summary>
    /// For a bundle's root: /proc and /sys paths as the host's kernel shows them (<see cref="HostKind"/>), any other in
    /// the root itself. A symbolic link counts as absent: a mount would follow it, perhaps out of the root.
    /// </summary>
    public static Func<string, bool?> KindInRoot(string rootfs) => path =>
        path is "/proc" or "/sys" || path.StartsWith("/proc/", StringComparison.Ordinal) || path.StartsWith("/sys/", StringComparison.Ordinal)
            ? HostKind(path)
            : Syscalls.TryLStat(Path.Combine(rootfs, path.TrimStart('/'))) is { IsSymlink: false } status ? status.IsDirectory : null;

    /// <summary>--privileged: a node for every device of the host's /dev, as Docker's HostDevices (not pts, shm, mqueue, console).</summary>
    public static List<DeviceNode> HostDevices(string devRoot = "/dev")
    {
        var nodes = new List<DeviceNode>();
        var pending = new Stack<string>([devRoot]);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            foreach (string path in Directory.EnumerateFileSystemEntries(dir))
            {
                string name = Path.GetFileName(path);
                if (dir == devRoot && name is "pts" or "shm" or "mqueue" or "fd" or "console" or "ptmx") continue;
                if (Syscalls.TryLStat(path) is not { } status) continue;
                if (status.IsDirectory) pending.Push(path);
                else if (status.IsCharacterDevice || status.IsBlockDevice)
                    nodes.Add(new DeviceNode("dev/" + Path.GetRelativePath(devRoot, path), status.RdevMajor, status.RdevMinor,
                        status.Mode & 0xfffu, status.IsBlockDevice));
            }
        }
        return nodes.OrderBy(n => n.Path, StringComparer.Ordinal).ToList();
    }
}
