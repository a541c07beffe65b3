using MiniRun.Native;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Sandbox;

/// <summary>
/// The command a stage execve()s and who it runs as, resolved from the OCI spec's process: what the init stage
/// (<see cref="InitSpec"/>) and the exec stage (<see cref="ExecSpec"/>) both hand to <see cref="PrivilegeDrop"/>.
/// </summary>
public sealed class StageProcess
{
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public List<uint> Groups { get; init; } = [];
    /// <summary>The capability set (bit N = capability N) for bounding, permitted and effective; inheritable and ambient are empty.</summary>
    public ulong Capabilities { get; init; }
    /// <summary>The kernel's highest capability number: every one above the set is dropped from the bounding set.</summary>
    public int LastCapability { get; init; }
    /// <summary>The inheritable and ambient sets (bit N = capability N): empty under Docker, an OCI spec may ask for them.</summary>
    public ulong InheritableCapabilities { get; init; }
    public ulong AmbientCapabilities { get; init; }
    public bool NoNewPrivileges { get; init; }
    /// <summary>The file mode creation mask the command starts with: runc's 0022 unless the spec says otherwise.</summary>
    public uint Umask { get; init; } = DefaultUmask;
    public const uint DefaultUmask = 0x12;
    /// <summary>setrlimit(2) of each, before the credentials change (raising a hard limit needs CAP_SYS_RESOURCE).</summary>
    public List<ResourceLimit> ResourceLimits { get; init; } = [];
    /// <summary>The user, groups and capabilities, as the seam takes them.</summary>
    public Credentials Credentials => new(Capabilities, LastCapability, Uid, Gid, Groups, InheritableCapabilities, AmbientCapabilities);
    /// <summary>The session keyring the stage joins (runc's "_ses.ID"), so the container does not share the host's.</summary>
    public string? SessionKeyring { get; init; }
    /// <summary>The seccomp filter the stage loads before execve (see <see cref="PrivilegeDrop"/>); null: none.</summary>
    public SeccompFilter? SeccompFilter { get; init; }
    public required string WorkingDir { get; init; }
    public required List<string> Args { get; init; }
    public required List<string> Env { get; init; }
}

/// <summary>One process.rlimits entry: the resource as the OCI spec names it, its number, the soft and hard limits.</summary>
public sealed record ResourceLimit(string Type, int Resource, ulong Soft, ulong Hard);
