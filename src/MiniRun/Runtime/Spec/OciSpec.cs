namespace MiniRun.Runtime.Spec;

/// <summary>
/// A container's configuration as the OCI runtime specification has it (config.md: the bundle's config.json), the
/// one contract between images and the runtime: `run` generates it from the image config and the flags
/// (<see cref="SpecGenerator"/>), the init and exec stages are built from it (<see cref="StagePlan"/>). Only the
/// members MiniRun uses are typed; names are the spec's (camelCase), and an unset member is left out of the JSON.
/// </summary>
public sealed class OciSpec
{
    /// <summary>The version of the specification this config follows (runc 1.1's).</summary>
    public const string Version = "1.0.2-dev";

    public string OciVersion { get; set; } = Version;
    public OciProcess? Process { get; set; }
    public OciRoot? Root { get; set; }
    public string? Hostname { get; set; }
    public List<OciMount>? Mounts { get; set; }
    public OciLinux? Linux { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }
    public OciHooks? Hooks { get; set; }

    /// <summary>Members MiniRun has no type for, as read (<see cref="OciSpecJson"/>): those the runtime-spec defines are refused by name (<see cref="UnknownMembers"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

/// <summary>config.md "Root": the root filesystem, relative to the bundle or absolute, and whether it is read-only.</summary>
public sealed class OciRoot
{
    public required string Path { get; set; }
    public bool Readonly { get; set; }
}

/// <summary>
/// config.md "Mounts": where a filesystem goes in the container (<see cref="Destination"/>, a container path), of
/// what type, from what source, with mount(8)-style options ("nosuid", "ro", "bind", "mode=755").
/// </summary>
public sealed class OciMount
{
    public required string Destination { get; set; }
    public string? Type { get; set; }
    public string? Source { get; set; }
    public List<string>? Options { get; set; }

    /// <summary>Members MiniRun has no type for, as read (<see cref="OciSpecJson"/>): those the runtime-spec defines are refused by name (<see cref="UnknownMembers"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

/// <summary>config.md "Process": the command, its identity, environment and privileges.</summary>
public sealed class OciProcess
{
    public bool Terminal { get; set; }
    public required OciUser User { get; set; }
    public required List<string> Args { get; set; }
    public List<string>? Env { get; set; }
    public required string Cwd { get; set; }
    public LinuxCapabilities? Capabilities { get; set; }
    public List<PosixRlimit>? Rlimits { get; set; }
    public bool NoNewPrivileges { get; set; }
    /// <summary>/proc/PID/oom_score_adj of the container's process, -1000 to 1000.</summary>
    public int? OomScoreAdj { get; set; }

    /// <summary>Members MiniRun has no type for, as read (<see cref="OciSpecJson"/>): those the runtime-spec defines are refused by name (<see cref="UnknownMembers"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

/// <summary>config.md "User" (POSIX platforms): numeric ids only, resolved before the runtime sees them.</summary>
public sealed class OciUser
{
    public uint Uid { get; set; }
    public uint Gid { get; set; }
    /// <summary>The umask; unset means the runtime's default (0022, runc's).</summary>
    public uint? Umask { get; set; }
    public List<uint>? AdditionalGids { get; set; }

    /// <summary>Members MiniRun has no type for, as read (<see cref="OciSpecJson"/>): those the runtime-spec defines are refused by name (<see cref="UnknownMembers"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

/// <summary>config.md "capabilities": each set as a list of capabilities(7) names ("CAP_CHOWN").</summary>
public sealed class LinuxCapabilities
{
    public List<string>? Bounding { get; set; }
    public List<string>? Effective { get; set; }
    public List<string>? Inheritable { get; set; }
    public List<string>? Permitted { get; set; }
    public List<string>? Ambient { get; set; }
}

/// <summary>config.md "rlimits": setrlimit(2) for the process ("RLIMIT_NOFILE").</summary>
public sealed class PosixRlimit
{
    public required string Type { get; set; }
    public ulong Hard { get; set; }
    public ulong Soft { get; set; }
}
