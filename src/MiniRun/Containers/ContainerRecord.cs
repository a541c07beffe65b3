using System.Text.Json.Serialization;

namespace MiniRun.Containers;

/// <summary>
/// A container as stored in <c>containers/&lt;id&gt;/config.json</c>: what it runs (fully resolved against the image)
/// and where its directories are. Its changing state lives beside it in <see cref="ContainerState"/>.
/// </summary>
public sealed record ContainerRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required DateTimeOffset Created { get; init; }
    /// <summary>The image ID (sha256:…) and the reference the user gave.</summary>
    public required string ImageId { get; init; }
    public required string ImageName { get; init; }
    /// <summary>Entrypoint + command, argv[0] first.</summary>
    public required List<string> Args { get; init; }
    public required List<string> Env { get; init; }
    public required string WorkingDir { get; init; }
    public string User { get; init; } = "";
    public required string Hostname { get; init; }
    [JsonIgnore]
    public NetworkMode Network { get; init; }
    /// <summary>The network mode as the JSON has it ("Host", "None"): a plain string, no enum converter to agree on.</summary>
    [JsonPropertyName(nameof(Network))]
    public string NetworkName
    {
        get => Network.ToString();
        init => Network = Enum.TryParse(value, ignoreCase: true, out NetworkMode mode) ? mode
            : throw new MiniRunException($"network mode \"{value}\" is not host, none, bridge, container or pasta");
    }
    /// <summary>The CNI networks it is attached to at each start, in order (eth0, eth1, …): Docker's EndpointsConfig.</summary>
    public List<NetworkEndpoint> Networks { get; init; } = [];
    /// <summary>--network container:NAME: that container's ID, whose network namespace it joins.</summary>
    public string? NetworkContainer { get; init; }
    /// <summary>--dns, --dns-search, --dns-option (Docker's HostConfig.Dns, DnsSearch, DnsOptions).</summary>
    public List<string> Dns { get; init; } = [];
    public List<string> DnsSearch { get; init; } = [];
    public List<string> DnsOptions { get; init; } = [];
    public bool UseChroot { get; init; }
    public bool AutoRemove { get; init; }
    /// <summary>--restart (Docker's HostConfig.RestartPolicy): what the supervisor does when the command exits.</summary>
    public RestartPolicy RestartPolicy { get; init; } = new();
    /// <summary>--stop-signal, else the image's StopSignal, as given (Docker's Config.StopSignal); null: SIGTERM.</summary>
    public string? StopSignal { get; init; }
    /// <summary>--stop-timeout in seconds (Docker's Config.StopTimeout); null: 10; negative: no SIGKILL.</summary>
    public int? StopTimeout { get; init; }
    /// <summary>-t: the command's stdio is a pty of the container's own (Docker's Config.Tty).</summary>
    public bool Tty { get; init; }
    /// <summary>-i: stdin is passed to the container (Docker's Config.OpenStdin).</summary>
    public bool OpenStdin { get; init; }
    /// <summary>Docker's Config.StdinOnce: the end of an attached client's input closes the container's stdin (-i, not detached).</summary>
    public bool StdinOnce { get; init; }
    public List<string> ExtraLayers { get; init; } = [];
    /// <summary>Image layer DiffIDs, bottom first (the overlay stack is built from these).</summary>
    public required List<string> Layers { get; init; }
    public ContainerResources Resources { get; init; } = new();
    public ContainerSecurity Security { get; init; } = new();
    /// <summary>Bind mounts, volumes and tmpfs mounts beyond the image, parents first.</summary>
    public List<ContainerMount> Mounts { get; init; } = [];
    /// <summary>--ulimit, normalised (nofile=1024:2048; -1 unlimited).</summary>
    public List<string> Ulimits { get; init; } = [];
    /// <summary>--init (Docker's HostConfig.Init).</summary>
    public bool Init { get; init; }
    /// <summary>--add-host, as NAME:IP (Docker's HostConfig.ExtraHosts).</summary>
    public List<string> ExtraHosts { get; init; } = [];
    /// <summary>--device, as HOST:CONTAINER:PERMISSIONS (the node's numbers are read again at each start).</summary>
    public List<string> Devices { get; init; } = [];
    /// <summary>--pid, --ipc, --uts, --shm-size (Docker's HostConfig.PidMode, IpcMode, UTSMode, ShmSize).</summary>
    public ContainerNamespaces Namespaces { get; init; } = new();
    /// <summary>The image's labels with -l and --label-file over them (Docker's Config.Labels).</summary>
    public Dictionary<string, string> Labels { get; init; } = [];
    /// <summary>Published ports (Docker's NetworkSettings.Ports), what `port` lists: -p and -P, host ports chosen at create.</summary>
    public List<PortBinding> Ports { get; init; } = [];

    /// <summary>What the cgroup managers write for this container: its limits and its device allow-list, --device included.</summary>
    public Sandbox.Cgroups.CgroupLimits CgroupLimits() => Resources.ToLimits(Security.Privileged, Devices.Select(DeviceRequests.Parse));

    /// <summary>The signal `stop` sends (and a SIGTERM to the container's runner becomes), as docker stop chooses it.</summary>
    public Native.Signal StopSignalOrDefault() => StopSignal is null ? Native.Signal.Term : Native.Signals.Parse(StopSignal);

    /// <summary>How long `stop` waits after the stop signal before SIGKILL: Docker's 10 s unless --stop-timeout said.</summary>
    public TimeSpan StopTimeoutOrDefault() => StopTimeout switch
    {
        null => TimeSpan.FromSeconds(10),
        < 0 => Timeout.InfiniteTimeSpan,
        int seconds => TimeSpan.FromSeconds(seconds),
    };
}

/// <summary>
/// Status of a container as its runner last recorded it: created → running → exited. Whether that is still true
/// is checked against the kernel (<see cref="ContainerStore.Observe"/>): a runner killed with SIGKILL records nothing.
/// </summary>
public sealed class ContainerState
{
    public StateStatus Status { get; set; } = StateStatus.Created;
    /// <summary>PID 1 of the container, as the host sees it, and its start time (to tell a reused PID apart).</summary>
    public int Pid { get; set; }
    public long PidStartTicks { get; set; }
    /// <summary>The minirun process that waits for PID 1 and records its exit: `run` in the foreground or the `run -d` supervisor.</summary>
    public int RunnerPid { get; set; }
    public long RunnerStartTicks { get; set; }
    public int ExitCode { get; set; }
    public string? Error { get; set; }
    /// <summary>The kernel's OOM killer ended a process of the container (Docker's State.OOMKilled).</summary>
    public bool OomKilled { get; set; }
    /// <summary>Restarts the supervisor made under the restart policy since the user's last start (Docker's RestartCount).</summary>
    public int RestartCount { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(ContainerState))]
internal sealed partial class ContainerJsonContext : JsonSerializerContext;
