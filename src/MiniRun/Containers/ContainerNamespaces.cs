using MiniRun.Common;
using System.Text.Json.Serialization;

namespace MiniRun.Containers;

/// <summary>
/// docker run's --pid, --ipc, --uts and --shm-size, as Docker's HostConfig keeps them (PidMode, IpcMode, UTSMode,
/// ShmSize): "" is a namespace of the container's own, "host" the host's; --ipc also has private (Docker's default),
/// shareable (others may join it), none (no /dev/shm) and container:NAME (another's, which must be shareable).
/// </summary>
public sealed record ContainerNamespaces
{
    /// <summary>Docker's default /dev/shm size (DefaultShmSize): 64 MiB.</summary>
    public const long DefaultShmSize = 64L << 20;

    public const string Host = "host", Private = "private", Shareable = "shareable", None = "none", ContainerPrefix = "container:";

    public string Pid { get; init; } = "";
    public string Ipc { get; init; } = Private;
    public string Uts { get; init; } = "";
    /// <summary>The size of a private or shareable IPC namespace's /dev/shm, in bytes.</summary>
    public long ShmSize { get; init; } = DefaultShmSize;

    // What the modes mean, for the spec and the runner (not stored: JsonIgnore).
    [JsonIgnore] public bool PidHost => Pid == Host;
    [JsonIgnore] public bool UtsHost => Uts == Host;
    [JsonIgnore] public bool IpcHost => Ipc == Host;
    [JsonIgnore] public bool IpcNone => Ipc == None;
    [JsonIgnore] public bool IpcShareable => Ipc == Shareable;
    /// <summary>The container whose IPC namespace is joined (--ipc container:NAME), or null.</summary>
    [JsonIgnore]
    public string? IpcContainer => Ipc.StartsWith(ContainerPrefix, StringComparison.Ordinal) ? Ipc[ContainerPrefix.Length..] : null;

    /// <summary>The flags, checked as Docker checks them; <paramref name="shmSize"/> in bytes (0: the default).</summary>
    /// <param name="hostname">-h: refused with --uts host, whose host name is the host's.</param>
    public static ContainerNamespaces Parse(string? pid, string? ipc, string? uts, long shmSize, string? hostname)
    {
        if (pid is not (null or "" or Host))
            throw new MiniRunException(pid.StartsWith(ContainerPrefix, StringComparison.Ordinal)
                ? $"--pid {pid}: joining another container's PID namespace is not supported yet: use host, or leave it out"
                : $"--pid: invalid PID mode \"{pid}\": use host, or leave it out");
        if (uts is not (null or "" or Host)) throw new MiniRunException($"--uts: invalid UTS mode \"{uts}\": use host, or leave it out");
        if (uts == Host && hostname is not null)
            throw new MiniRunException("conflicting options: hostname and the UTS mode: --uts host keeps the host's name, drop --hostname");
        ipc = string.IsNullOrEmpty(ipc) ? Private : ipc;
        if (ipc is not (Host or Private or Shareable or None)
            && !(ipc.StartsWith(ContainerPrefix, StringComparison.Ordinal) && ipc.Length > ContainerPrefix.Length))
            throw new MiniRunException($"invalid IPC mode: {ipc} (host, private, shareable, none or container:NAME)");
        if (shmSize < 0) throw new MiniRunException("SHM size can not be less than 0");
        // Rootless: the host's PID and IPC namespaces belong to the initial user namespace, whose proc and mqueue a
        // user namespace's root may not mount (a bind of the host's /proc would be Podman's way: not done yet).
        if (RootlessMode.Active && pid == Host)
            throw new MiniRunException("--pid host needs root: a rootless container cannot mount the host's /proc");
        if (RootlessMode.Active && ipc == Host)
            throw new MiniRunException("--ipc host needs root: a rootless container cannot mount the host's /dev/mqueue");
        return new ContainerNamespaces { Pid = pid ?? "", Ipc = ipc, Uts = uts ?? "", ShmSize = shmSize == 0 ? DefaultShmSize : shmSize };
    }
}
