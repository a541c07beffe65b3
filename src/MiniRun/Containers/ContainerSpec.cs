namespace MiniRun.Containers;

/// <summary>
/// Network set-ups: the host's network; a namespace with only lo; a namespace of its own attached to CNI networks
/// (the default bridge or user-defined ones, <see cref="ContainerRecord.Networks"/>); another container's namespace; a
/// namespace of its own connected by pasta, the user-mode network of rootless containers (<see cref="PastaNetwork"/>).
/// </summary>
public enum NetworkMode { Host, None, Bridge, Container, Pasta }

/// <summary>What the user asked to run (`minirun run …`), before the image's defaults are applied.</summary>
public sealed record ContainerSpec
{
    public required string Image { get; init; }
    /// <summary>The command after IMAGE; empty means the image's Cmd.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];
    public string? Entrypoint { get; init; }
    public string? Name { get; init; }
    /// <summary>-e K=V (or K, taken from minirun's environment as Docker does).</summary>
    public IReadOnlyList<string> Env { get; init; } = [];
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public string? Hostname { get; init; }
    /// <summary>--network as given: host, none, bridge, container:NAME or a network's name; null: the default
    /// (<see cref="NetworkChoice"/>).</summary>
    public string? Network { get; init; }
    /// <summary>--network-alias: more names the container has on its user-defined network.</summary>
    public IReadOnlyList<string> NetworkAliases { get; init; } = [];
    /// <summary>--ip: its IPv4 address on the network.</summary>
    public string? Ip { get; init; }
    /// <summary>chroot(2) instead of pivot_root(2), as the classic walkthrough does.</summary>
    public bool UseChroot { get; init; }
    /// <summary>Extra lower directories above the init layer (the walkthrough's rootfs-init).</summary>
    public IReadOnlyList<string> ExtraLayers { get; init; } = [];
    public bool RemoveWhenDone { get; init; }
    /// <summary>--restart (<see cref="Containers.RestartPolicy"/>); refused with --rm.</summary>
    public RestartPolicy RestartPolicy { get; init; } = new();
    /// <summary>--stop-signal as given; null: the image's StopSignal, else SIGTERM.</summary>
    public string? StopSignal { get; init; }
    /// <summary>--stop-timeout in seconds; null: 10.</summary>
    public int? StopTimeout { get; init; }
    /// <summary>-t: a pseudo-terminal for the command.</summary>
    public bool Tty { get; init; }
    /// <summary>-i: stdin is passed to the command.</summary>
    public bool Interactive { get; init; }
    /// <summary>-i, not detached: an attached client's end of input is the container's (Docker's StdinOnce).</summary>
    public bool StdinOnce { get; init; }
    public ContainerResources Resources { get; init; } = new();
    public ContainerSecurity Security { get; init; } = new();
    /// <summary>-v, --mount, --tmpfs (<see cref="MountRequests"/>).</summary>
    public IReadOnlyList<ContainerMount> Mounts { get; init; } = [];
    /// <summary>--ulimit NAME=SOFT[:HARD] (<see cref="Ulimits"/>).</summary>
    public IReadOnlyList<string> Ulimits { get; init; } = [];
    /// <summary>--init: a small init (tini) is PID 1, reaping zombies and passing signals on to the command.</summary>
    public bool Init { get; init; }
    /// <summary>--add-host NAME:IP (<see cref="ExtraHosts"/>).</summary>
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];
    /// <summary>--dns IP, checked (<see cref="DnsFlags.CheckNameserver"/>): the nameservers of /etc/resolv.conf (<see cref="ContainerResolvConf"/>).</summary>
    public IReadOnlyList<string> Dns { get; init; } = [];
    /// <summary>--dns-search DOMAIN, checked (<see cref="DnsFlags.CheckSearchDomain"/>): its search list; "." for none.</summary>
    public IReadOnlyList<string> DnsSearch { get; init; } = [];
    /// <summary>--dns-option OPT: its options line (ndots:2, rotate…).</summary>
    public IReadOnlyList<string> DnsOptions { get; init; } = [];
    /// <summary>--device HOST[:CONTAINER[:PERMISSIONS]] (<see cref="DeviceRequests"/>).</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];
    /// <summary>--pid, --ipc, --uts, --shm-size (<see cref="ContainerNamespaces"/>).</summary>
    public ContainerNamespaces Namespaces { get; init; } = new();
    /// <summary>--label-file's lines, then -l K=V (<see cref="ContainerLabels"/>).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];
    /// <summary>-p values, checked and in short form (<see cref="PortRequests"/>); host ports are chosen at each start.</summary>
    public IReadOnlyList<string> Publish { get; init; } = [];
    /// <summary>-P: every exposed port (the image's, --expose's) on a free host port.</summary>
    public bool PublishAll { get; init; }
    /// <summary>--expose PORT[-END][/PROTO], checked.</summary>
    public IReadOnlyList<string> Expose { get; init; } = [];
}
