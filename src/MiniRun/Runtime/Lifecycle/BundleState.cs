using System.Text.Json.Serialization;
using MiniRun.Runtime.Spec;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>What `create` records of a bundle's container, in the runtime's state directory (--root/ID/state.json).</summary>
public sealed record BundleState
{
    public required string Id { get; init; }
    public required string Bundle { get; init; }
    public required string Rootfs { get; init; }
    public required int Pid { get; init; }
    public required long PidStartTicks { get; init; }
    /// <summary>The cgroup made for it (relative to each hierarchy), removed by `delete`.</summary>
    public required string Cgroup { get; init; }
    public required DateTimeOffset Created { get; init; }
    public Dictionary<string, string>? Annotations { get; init; }
    /// <summary>The hooks of config.json as it was at create: poststart and poststop run from these, whatever the bundle holds later.</summary>
    public OciHooks? Hooks { get; init; }
}

/// <summary>`state`'s answer, the runtime-spec's state (runtime.md "State"), with runc's rootfs and created.</summary>
public sealed record OciState
{
    public required string OciVersion { get; init; }
    public required string Id { get; init; }
    /// <summary>creating, created, running or stopped.</summary>
    public required string Status { get; init; }
    public int Pid { get; init; }
    public required string Bundle { get; init; }
    public required string Rootfs { get; init; }
    public required DateTimeOffset Created { get; init; }
    public Dictionary<string, string>? Annotations { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BundleState))]
[JsonSerializable(typeof(OciState))]
public sealed partial class BundleStateJsonContext : JsonSerializerContext;
