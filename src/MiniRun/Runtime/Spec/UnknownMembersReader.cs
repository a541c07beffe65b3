using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// Fills the <c>Unknown</c> members of a parsed config.json (or process.json, resources.json) with each object's
/// members its type does not have, from a second read of the same text: what [JsonExtensionData] would do, kept out
/// of the types so that writing config.json keeps System.Text.Json's fast path (<see cref="OciSpecJson.ToText"/>).
/// Only the objects where <see cref="UnknownMembers"/> looks are read. A type's member names are the reading
/// context's own, so they cannot drift from the properties.
/// </summary>
internal static class UnknownMembersReader
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip };
    private static OciSpecJsonContext Types => OciSpecJsonContext.Default;

    public static void Collect(ReadOnlySpan<byte> json, OciSpec spec)
    {
        using JsonDocument document = JsonDocument.Parse(json.ToArray(), Options);
        JsonElement root = document.RootElement;
        spec.Unknown = Extra(root, Types.OciSpec);
        if (spec.Process is { } process && Member(root, "process") is { } processJson) Collect(processJson, process);
        if (spec.Mounts is { } mounts && Member(root, "mounts") is { ValueKind: JsonValueKind.Array } mountsJson)
            for (int i = 0; i < mounts.Count && i < mountsJson.GetArrayLength(); i++) mounts[i].Unknown = Extra(mountsJson[i], Types.OciMount);
        if (spec.Linux is not { } linux || Member(root, "linux") is not { } linuxJson) return;
        linux.Unknown = Extra(linuxJson, Types.OciLinux);
        // While the text is at hand: the seccomp section as written, which keys the runtime's cache of compiled filters.
        if (linux.Seccomp is { } seccomp && Member(linuxJson, "seccomp") is { } seccompJson) seccomp.ReadText = seccompJson.GetRawText();
        if (linux.Resources is { } resources && Member(linuxJson, "resources") is { } resourcesJson) Collect(resourcesJson, resources);
    }

    public static void Collect(ReadOnlySpan<byte> json, OciProcess process)
    {
        using JsonDocument document = JsonDocument.Parse(json.ToArray(), Options);
        Collect(document.RootElement, process);
    }

    public static void Collect(ReadOnlySpan<byte> json, LinuxResources resources)
    {
        using JsonDocument document = JsonDocument.Parse(json.ToArray(), Options);
        Collect(document.RootElement, resources);
    }

    private static void Collect(JsonElement json, OciProcess process)
    {
        process.Unknown = Extra(json, Types.OciProcess);
        if (Member(json, "user") is { } user) process.User.Unknown = Extra(user, Types.OciUser);
    }

    private static void Collect(JsonElement json, LinuxResources resources)
    {
        resources.Unknown = Extra(json, Types.LinuxResources);
        if (resources.Memory is { } memory && Member(json, "memory") is { } memoryJson) memory.Unknown = Extra(memoryJson, Types.LinuxMemory);
        if (resources.Cpu is { } cpu && Member(json, "cpu") is { } cpuJson) cpu.Unknown = Extra(cpuJson, Types.LinuxCpu);
    }

    private static JsonElement? Member(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out JsonElement value) ? value : null;

    /// <summary>The members of <paramref name="json"/> that <paramref name="type"/> has no property for (null: none).</summary>
    private static Dictionary<string, JsonElement>? Extra(JsonElement json, JsonTypeInfo type)
    {
        if (json.ValueKind != JsonValueKind.Object) return null;
        Dictionary<string, JsonElement>? extra = null;
        foreach (JsonProperty member in json.EnumerateObject())
            if (!type.Properties.Any(p => p.Name == member.Name)) (extra ??= [])[member.Name] = member.Value.Clone();
        return extra;
    }
}
