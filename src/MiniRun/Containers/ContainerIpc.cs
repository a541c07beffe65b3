using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>An IPC namespace of another's for the spec: the one to join (null: a new one) and the /dev/shm to bind from the host.</summary>
public sealed record SharedIpc(string? NamespacePath, string ShmSource);

/// <summary>
/// --ipc shareable and --ipc container:NAME, as Docker does them (moby daemon/container_operations_unix.go
/// setupIpcDirs): a shareable container's /dev/shm is a tmpfs mounted on the host, in its directory, for the time it
/// runs, and bound inside; a container that joins it gets its IPC namespace (/proc/PID/ns/ipc) and a bind of the same
/// tmpfs, so both see the same System V objects, POSIX queues and /dev/shm files. The donor must be running and be
/// shareable (or the host's, or joined to one of those).
/// </summary>
public static class ContainerIpc
{
    public static string ShmDirectory(string containerDirectory) => Path.Combine(containerDirectory, ContainerSnapshotter.ShmDirectory);

    /// <summary>What the spec of <paramref name="record"/> binds and joins; null when its IPC namespace is its own or the host's.</summary>
    public static SharedIpc? Resolve(ContainerStore containers, ContainerRecord record, string containerDirectory)
    {
        if (record.Namespaces.IpcShareable) return new SharedIpc(null, ShmDirectory(containerDirectory));
        if (record.Namespaces.IpcContainer is not { } name) return null;
        Container donor = containers.Resolve(name);
        ContainerStatus status = containers.Observe(donor);
        string refused = $"can't join IPC of container {donor.Id}";
        if (!status.Running) throw new MiniRunException($"{refused}: container {donor.Id} is not running");
        string? shm = ShmOf(containers, donor.Record, donor.Directory, depth: 0);
        return shm is null ? throw new MiniRunException($"{refused}: non-shareable IPC (hint: use --ipc shareable for the donor container)")
            : new SharedIpc($"/proc/{status.Pid}/ns/ipc", shm);
    }

    /// <summary>Where a running container's /dev/shm comes from on the host, when others may share it (Docker's ShmPath).</summary>
    private static string? ShmOf(ContainerStore containers, ContainerRecord record, string directory, int depth)
    {
        ContainerNamespaces ns = record.Namespaces;
        if (ns.IpcShareable) return ShmDirectory(directory);
        if (ns.IpcHost) return "/dev/shm";
        // Joined to another: that one's (a chain is short; a loop cannot run, but is cut anyway).
        return ns.IpcContainer is { } name && depth < 8 && containers.TryResolve(name) is { } donor
            ? ShmOf(containers, donor.Record, donor.Directory, depth + 1) : null;
    }

    /// <summary>A shareable container's /dev/shm on the host, mounted anew at each start (one a crash left is replaced).</summary>
    public static void MountShm(ISyscalls sys, string containerDirectory, long size)
    {
        string dir = ShmDirectory(containerDirectory);
        sys.MakeDirectory(dir, 0x1c0);
        if (OverlayMount.IsMounted(dir)) sys.Unmount(dir, UnmountFlags.Detach);
        sys.Explain("--ipc shareable: the container's /dev/shm is a tmpfs on the host, which containers that join its IPC namespace bind too");
        sys.Mount("shm", dir, "tmpfs", MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec, $"mode=1777,size={size}");
    }

    /// <summary>Unmounts it (detached: a container that joined keeps its own bind of it).</summary>
    public static void UnmountShm(ISyscalls sys, string containerDirectory)
    {
        sys.Explain("--ipc shareable: its /dev/shm goes with its run (a container that joined keeps its bind of it)");
        sys.Unmount(ShmDirectory(containerDirectory), UnmountFlags.Detach);
    }
}
