using System.Text.Json.Serialization;

namespace MiniRun.Sandbox;

/// <summary>
/// The one message from `minirun exec` to the exec stage (over fd 3): the process to start in a running container,
/// already resolved by the parent (user from the container's /etc/passwd, environment, working directory), and where
/// the container is.
/// </summary>
public sealed class ExecSpec
{
    /// <summary>The container's PID 1 as the host sees it: the exec stage joins its mount namespace and root.</summary>
    public int ContainerPid { get; init; }
    /// <summary>The container's cgroup files the exec stage writes "0" to first (<see cref="Cgroups.ICgroupManager.SelfJoinFiles"/>).</summary>
    public List<string> CgroupJoinFiles { get; init; } = [];
    /// <summary>The container's unified (v2) group, joined first (<see cref="Cgroups.ICgroupManager.EarlyJoinDirectory"/>), or null.</summary>
    public string? CgroupProcessJoinDirectory { get; init; }
    /// <summary>A terminal for the command: the unix socket its pty's master goes to (the OCI runtime's exec --tty --console-socket), or null.</summary>
    public string? ConsoleSocket { get; init; }
    /// <summary>minirun exec -t: a pty of the container's devpts, its master sent back over the stage's channel (fd 3).</summary>
    public bool ConsoleOverChannel { get; init; }
    /// <summary>The command, with the container's capability set, no_new_privs, session keyring and seccomp filter, as its PID 1 got them.</summary>
    public required StageProcess Process { get; init; }
}

[JsonSerializable(typeof(ExecSpec))]
internal sealed partial class ExecJsonContext : JsonSerializerContext;
