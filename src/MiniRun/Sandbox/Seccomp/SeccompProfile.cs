using System.Text.Json;
using System.Text.Json.Serialization;

namespace MiniRun.Sandbox.Seccomp;

/// <summary>
/// A seccomp profile in Docker's JSON format (moby/profiles seccomp.go: defaultAction, defaultErrnoRet, archMap or
/// architectures, syscalls with names, action, errnoRet, args and includes/excludes), the one reader for Docker's
/// default profile and for `--security-opt seccomp=FILE`. Member names match case-insensitively, as Go's decoder does.
/// </summary>
public sealed class SeccompProfile
{
    public string? DefaultAction { get; init; }
    public uint? DefaultErrnoRet { get; init; }
    /// <summary>The OCI form: every architecture listed is added to the filter.</summary>
    public List<string>? Architectures { get; init; }
    /// <summary>Docker's form: the entry for this machine's architecture, with its sub-architectures (x86, x32).</summary>
    public List<SeccompArchitecture>? ArchMap { get; init; }
    public List<SeccompRule>? Syscalls { get; init; }

    /// <summary>Reads and checks a profile; anything wrong is one line naming <paramref name="source"/>.</summary>
    public static SeccompProfile Parse(ReadOnlySpan<byte> json, string source)
    {
        SeccompProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize(json, SeccompJsonContext.Default.SeccompProfile);
        }
        catch (JsonException e)
        {
            throw new MiniRunException($"seccomp profile {source}: not valid JSON: {UserMessages.Detail(e)}");
        }
        if (profile is null) throw new MiniRunException($"seccomp profile {source}: empty");
        profile.Check(source);
        return profile;
    }

    private void Check(string source)
    {
        MiniRunException Bad(string what) => new($"seccomp profile {source}: {what}");
        if (DefaultAction is null) throw Bad("no defaultAction");
        SeccompActions.Check(DefaultAction, Bad);
        if (Architectures is { Count: > 0 } && ArchMap is { Count: > 0 }) throw Bad("both 'architectures' and 'archMap' are given: use one");
        foreach (SeccompRule rule in Syscalls ?? [])
        {
            if (rule.Name is not null && rule.Names is { Count: > 0 }) throw Bad("both 'name' and 'names' are given in one rule: use one");
            if (rule.Action is null) throw Bad($"the rule for {string.Join(",", rule.AllNames)} has no action");
            SeccompActions.Check(rule.Action, Bad);
            foreach (SeccompArgument arg in rule.Args ?? [])
            {
                if (arg.Index > 5) throw Bad($"argument index {arg.Index} in the rule for {string.Join(",", rule.AllNames)}: a syscall has 6 (0-5)");
                if (SeccompArgument.Operator(arg.Op) is null) throw Bad($"unknown comparison \"{arg.Op}\" (SCMP_CMP_EQ, NE, LT, LE, GT, GE or MASKED_EQ)");
            }
            foreach (SeccompCondition? condition in new[] { rule.Includes, rule.Excludes })
                if (condition?.MinKernel is { } kernel && KernelVersion.TryParse(kernel) is null) throw Bad($"minKernel \"{kernel}\" is not a version like 4.8");
        }
    }
}

public sealed class SeccompArchitecture
{
    public string? Architecture { get; init; }
    public List<string>? SubArchitectures { get; init; }
}

public sealed class SeccompRule
{
    public string? Name { get; init; }
    public List<string>? Names { get; init; }
    public string? Action { get; init; }
    public uint? ErrnoRet { get; init; }
    public List<SeccompArgument>? Args { get; init; }
    public SeccompCondition? Includes { get; init; }
    public SeccompCondition? Excludes { get; init; }

    [JsonIgnore]
    public IReadOnlyList<string> AllNames => Name is not null ? [Name] : Names ?? [];
}

/// <summary>One condition on a syscall argument (struct scmp_arg_cmp): op compares it with value (and valueTwo for MASKED_EQ).</summary>
public sealed class SeccompArgument
{
    public uint Index { get; init; }
    public ulong Value { get; init; }
    public ulong ValueTwo { get; init; }
    public string? Op { get; init; }

    /// <summary>enum scmp_compare, or null when unknown.</summary>
    public static int? Operator(string? op) => op switch
    {
        "SCMP_CMP_NE" => 1, "SCMP_CMP_LT" => 2, "SCMP_CMP_LE" => 3, "SCMP_CMP_EQ" => 4, "SCMP_CMP_GE" => 5,
        "SCMP_CMP_GT" => 6, "SCMP_CMP_MASKED_EQ" => 7, _ => null,
    };
}

/// <summary>When a rule applies: to these libseccomp architecture names ("amd64"), capabilities, kernels from minKernel.</summary>
public sealed class SeccompCondition
{
    public List<string>? Caps { get; init; }
    public List<string>? Arches { get; init; }
    public string? MinKernel { get; init; }
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(SeccompProfile))]
internal sealed partial class SeccompJsonContext : JsonSerializerContext;
