using System.Text.Json.Serialization;
using MiniRun.Images;

namespace MiniRun.Cli.Output;

/// <summary>The parts of `docker inspect` output that MiniRun has, with Docker's field names.</summary>
public sealed class ContainerInspect
{
    public required string Id { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required string Path { get; init; }
    public required List<string> Args { get; init; }
    public required StateInspect State { get; init; }
    public required string Image { get; init; }
    public required string Name { get; init; }
    /// <summary>Restarts made under the restart policy since the last start.</summary>
    public int RestartCount { get; init; }
    public required string Driver { get; init; }
    /// <summary>A detached container's output file (Docker's LogPath).</summary>
    public string LogPath { get; init; } = "";
    public required GraphDriverInspect GraphDriver { get; init; }
    public required ContainerConfigInspect Config { get; init; }
    public required HostConfigInspect HostConfig { get; init; }
    /// <summary>Docker's Mounts: each bind, volume and tmpfs beyond the image.</summary>
    public List<MountInspect> Mounts { get; init; } = [];
    public required NetworkSettingsInspect NetworkSettings { get; init; }
}

/// <summary>Docker's NetworkSettings: the namespace (SandboxKey), published ports, and each network's endpoint; the
/// top-level address fields are the default bridge's, as Docker keeps them for old clients.</summary>
public sealed class NetworkSettingsInspect
{
    public string Bridge { get; init; } = "";
    public string SandboxID { get; init; } = "";
    public string SandboxKey { get; init; } = "";
    public Dictionary<string, List<PortBindingInspect>?> Ports { get; init; } = [];
    public string EndpointID { get; init; } = "";
    public string Gateway { get; init; } = "";
    public string IPAddress { get; init; } = "";
    public int IPPrefixLen { get; init; }
    public string MacAddress { get; init; } = "";
    public Dictionary<string, EndpointInspect> Networks { get; init; } = [];
}

public sealed class PortBindingInspect
{
    public required string HostIp { get; init; }
    public required string HostPort { get; init; }
}

public sealed class EndpointInspect
{
    public EndpointIpamInspect? IPAMConfig { get; init; }
    public List<string>? Aliases { get; init; }
    public string MacAddress { get; init; } = "";
    public string NetworkID { get; init; } = "";
    public string EndpointID { get; init; } = "";
    public string Gateway { get; init; } = "";
    public string IPAddress { get; init; } = "";
    public int IPPrefixLen { get; init; }
    public List<string>? DNSNames { get; init; }
}

public sealed class EndpointIpamInspect
{
    public string? IPv4Address { get; init; }
}

/// <summary>One of `docker inspect`'s Mounts.</summary>
public sealed class MountInspect
{
    public required string Type { get; init; }
    public string? Name { get; init; }
    public required string Source { get; init; }
    public required string Destination { get; init; }
    public string? Driver { get; init; }
    public required string Mode { get; init; }
    public bool RW { get; init; }
    public required string Propagation { get; init; }
}

/// <summary>`docker volume inspect`'s document.</summary>
public sealed class VolumeInspect
{
    public required DateTimeOffset CreatedAt { get; init; }
    public string Driver { get; init; } = "local";
    public Dictionary<string, string>? Labels { get; init; }
    public required string Mountpoint { get; init; }
    public required string Name { get; init; }
    public Dictionary<string, string>? Options { get; init; }
    public string Scope { get; init; } = "local";
}

public sealed class StateInspect
{
    public required string Status { get; init; }
    public bool Running { get; init; }
    public bool Paused { get; init; }
    public bool Restarting { get; init; }
    public bool Dead { get; init; }
    public int Pid { get; init; }
    public int ExitCode { get; init; }
    public bool OOMKilled { get; init; }
    public string Error { get; init; } = "";
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
}

public sealed class ContainerConfigInspect
{
    public required string Hostname { get; init; }
    public required string User { get; init; }
    public required List<string> Env { get; init; }
    public required List<string> Cmd { get; init; }
    public required string Image { get; init; }
    public required string WorkingDir { get; init; }
    /// <summary>--stop-signal or the image's; absent when neither set one, as Docker leaves it out.</summary>
    public string? StopSignal { get; init; }
    public int? StopTimeout { get; init; }
    public Dictionary<string, string> Labels { get; init; } = [];
}

public sealed class HostConfigInspect
{
    public required string NetworkMode { get; init; }
    public bool AutoRemove { get; init; }
    public required RestartPolicyInspect RestartPolicy { get; init; }
    /// <summary>MiniRun's own: chroot(2) instead of pivot_root(2), and the extra --layer dirs.</summary>
    public bool Chroot { get; init; }
    public List<string> ExtraLayers { get; init; } = [];
    public long Memory { get; init; }
    public long MemorySwap { get; init; }
    public long NanoCpus { get; init; }
    public long CpuShares { get; init; }
    public long PidsLimit { get; init; }
    public List<string> CapAdd { get; init; } = [];
    public List<string> CapDrop { get; init; } = [];
    public bool Privileged { get; init; }
    public bool ReadonlyRootfs { get; init; }
    public List<string> SecurityOpt { get; init; } = [];
    public string PidMode { get; init; } = "";
    public string IpcMode { get; init; } = "";
    public string UTSMode { get; init; } = "";
    public long ShmSize { get; init; }
}

public sealed class RestartPolicyInspect
{
    public required string Name { get; init; }
    public int MaximumRetryCount { get; init; }
}

/// <summary>Docker's GraphDriver block: the overlay directories, named so a learner can go and look; vfs has none ("Data": null, as Docker's).</summary>
public sealed class GraphDriverInspect
{
    public string Name { get; init; } = "overlay2";
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required Dictionary<string, string>? Data { get; init; }
}

public sealed class ImageInspect
{
    public required string Id { get; init; }
    public required List<string> RepoTags { get; init; }
    public required List<string> RepoDigests { get; init; }
    public DateTimeOffset? Created { get; init; }
    public string? Architecture { get; init; }
    public string? Os { get; init; }
    public long Size { get; init; }
    public ContainerConfig? Config { get; init; }
    public required GraphDriverInspect GraphDriver { get; init; }
    public required RootFsInspect RootFS { get; init; }
}

public sealed class RootFsInspect
{
    public string Type { get; init; } = "layers";
    public required List<string> Layers { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<ContainerInspect>))]
[JsonSerializable(typeof(List<ImageInspect>))]
[JsonSerializable(typeof(List<VolumeInspect>))]
[JsonSerializable(typeof(List<NetworkInspect>))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
