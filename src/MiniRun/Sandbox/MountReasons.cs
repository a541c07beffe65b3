using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>Why each of the container's mounts is made, in one line, for --explain and --dry-run.</summary>
public static class MountReasons
{
    public static string Why(string rootfs, MountRecord mount)
    {
        string inside = "/" + Path.GetRelativePath(rootfs, mount.Target);
        if (mount.IsRemount) return $"{inside} read-only (a bind mount is made read-only by remounting it)";
        return mount.Type switch
        {
            "proc" => "/proc shows the processes of the container's PID namespace (the host's with --pid host)",
            "sysfs" => "/sys" + (mount.Flags.HasFlag(MountFlags.ReadOnly) ? ", read-only" : ""),
            "devpts" => "a private devpts instance: the container's terminals are its own",
            "mqueue" => "POSIX message queues of the new IPC namespace",
            "tmpfs" when inside == "/dev" => "a fresh, empty /dev",
            "tmpfs" when inside == "/dev/shm" => "shared memory of the new IPC namespace",
            "bind" when inside == "/dev/shm" => "--ipc host, shareable or container:NAME: a /dev/shm others see too, from " + mount.Source,
            "tmpfs" when inside.StartsWith("/proc/", StringComparison.Ordinal) || inside.StartsWith("/sys/", StringComparison.Ordinal) =>
                $"{inside} masked with an empty read-only tmpfs (Docker's masked paths)",
            "tmpfs" => $"{inside}: a tmpfs of its own (--tmpfs, --mount type=tmpfs)",
            _ when mount.Source.EndsWith("/dev/null", StringComparison.Ordinal) => $"{inside} masked with /dev/null (Docker's masked paths)",
            _ when mount.Source == mount.Target => $"{inside} bound onto itself, so that it can be remounted read-only",
            _ => $"{inside} from {mount.Source}",
        };
    }
}
