using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The filesystems a container gets inside its root, as Docker/runc's defaults set them up:
/// /proc, a tmpfs /dev with the standard nodes, devpts, /dev/shm, /dev/mqueue and a read-only /sys.
/// </summary>
public static class ContainerMounts
{
    public static List<MountRecord> Build(string rootfs) =>
    [
        new("proc", "proc", Path.Combine(rootfs, "proc"), MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec),
        new("tmpfs", "tmpfs", Path.Combine(rootfs, "dev"), MountFlags.NoSuid | MountFlags.StrictAtime, "mode=755,size=65536k"),
        // newinstance: the container's ptys are its own, not the host's (devpts.rst).
        new("devpts", "devpts", Path.Combine(rootfs, "dev/pts"), MountFlags.NoSuid | MountFlags.NoExec, "newinstance,ptmxmode=0666,mode=0620,gid=5"),
        new("tmpfs", "shm", Path.Combine(rootfs, "dev/shm"), MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec, "mode=1777,size=65536k"),
        new("mqueue", "mqueue", Path.Combine(rootfs, "dev/mqueue"), MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec),
        new("sysfs", "sysfs", Path.Combine(rootfs, "sys"), MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec | MountFlags.ReadOnly),
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

    public static List<SymlinkSpec> Symlinks() =>
    [
        new("dev/fd", "/proc/self/fd"),
        new("dev/stdin", "/proc/self/fd/0"),
        new("dev/stdout", "/proc/self/fd/1"),
        new("dev/stderr", "/proc/self/fd/2"),
        new("dev/ptmx", "pts/ptmx"),
    ];
}
