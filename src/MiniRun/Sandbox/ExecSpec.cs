using System.Text.Json.Serialization;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Sandbox;

/// <summary>
/// The one message from `minirun exec` to the exec stage (over fd 3): the process to start in a running container,
/// already resolved by the parent (user from the container's /etc/passwd, environment, working directory).
/// </summary>
public sealed class ExecSpec
{
    /// <summary>The container's PID 1 as the host sees it: the exec stage joins its mount namespace and root.</summary>
    public int ContainerPid { get; init; }
    /// <summary>The container's cgroup files the exec stage writes "0" to first (<see cref="Cgroups.ICgroupManager.SelfJoinFiles"/>).</summary>
    public List<string> CgroupJoinFiles { get; init; } = [];
    /// <summary>The container's unified (v2) group, joined first (<see cref="Cgroups.ICgroupManager.EarlyJoinDirectory"/>), or null.</summary>
    public string? CgroupProcessJoinDirectory { get; init; }
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public List<uint> Groups { get; init; } = [];
    /// <summary>The container's capability set and no_new_privs, as its PID 1 got them (see <see cref="InitSpec"/>).</summary>
    public ulong Capabilities { get; init; }
    public int LastCapability { get; init; }
    public bool NoNewPrivileges { get; init; }
    /// <summary>The container's session keyring and seccomp filter, as its PID 1 got them.</summary>
    public string? SessionKeyring { get; init; }
    public SeccompFilter? SeccompFilter { get; init; }
    public required string WorkingDir { get; init; }
    public required List<string> Args { get; init; }
    public required List<string> Env { get; init; }
}

[JsonSerializable(typeof(ExecSpec))]
internal sealed partial class ExecJsonContext : JsonSerializerContext;
