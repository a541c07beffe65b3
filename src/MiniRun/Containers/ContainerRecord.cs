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
            : throw new MiniRunException($"network mode \"{value}\" is not host or none");
    }
    public bool UseChroot { get; init; }
    public bool AutoRemove { get; init; }
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

    /// <summary>What the cgroup managers write for this container: its limits and its device allow-list, --device included.</summary>
    public Sandbox.Cgroups.CgroupLimits CgroupLimits() => Resources.ToLimits(Security.Privileged, Devices.Select(DeviceRequests.Parse));
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
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(ContainerState))]
internal sealed partial class ContainerJsonContext : JsonSerializerContext;
