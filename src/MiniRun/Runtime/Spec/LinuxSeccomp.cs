using System.Text.Json;
using System.Text.Json.Serialization;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// config-linux.md "Seccomp": a filter already resolved for one container (Docker writes its profile's rules that
/// apply to this machine, kernel and capability set; no includes or excludes remain), with libseccomp's names.
/// </summary>
public sealed class LinuxSeccomp
{
    public required string DefaultAction { get; set; }

    /// <summary>The section as config.json text, read from the cache beside the compiled filter (written as it is); the
    /// other members are then unset. Parsing Docker's profile again on every start cost more than the rest of config.json.</summary>
    [JsonIgnore]
    public string? CachedJson { get; init; }
    /// <summary>The section's text as a config.json that was read had it (<see cref="UnknownMembersReader"/>): the key of
    /// the OCI runtime's cache of compiled filters, without serializing the section again.</summary>
    [JsonIgnore]
    public string? ReadText { get; set; }
    public uint? DefaultErrnoRet { get; set; }
    public List<string>? Architectures { get; set; }
    public List<LinuxSyscall>? Syscalls { get; set; }
}

/// <summary>One rule: these syscalls, when every argument condition holds, get this action ("SCMP_ACT_ALLOW").</summary>
public sealed class LinuxSyscall
{
    public required List<string> Names { get; set; }
    public required string Action { get; set; }
    public uint? ErrnoRet { get; set; }
    public List<LinuxSeccompArg>? Args { get; set; }
}

/// <summary>struct scmp_arg_cmp: argument <see cref="Index"/> compared with <see cref="Op"/> ("SCMP_CMP_MASKED_EQ").</summary>
public sealed class LinuxSeccompArg
{
    public uint Index { get; set; }
    public ulong Value { get; set; }
    public ulong ValueTwo { get; set; }
    public required string Op { get; set; }
}

/// <summary>The section alone: the text the cache keeps (<see cref="SeccompSection.Cached"/>).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(LinuxSeccomp))]
internal sealed partial class OciSeccompJsonContext : JsonSerializerContext;
