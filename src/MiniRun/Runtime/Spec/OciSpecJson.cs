using MiniRun.Native;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// config.json in and out, with generated (de)serialization: reading a bundle's config and writing the one `run`
/// generates. Unknown members are skipped (a config may carry fields MiniRun does not use), a malformed file is one
/// line naming it.
/// </summary>
public static class OciSpecJson
{
    public const string FileName = "config.json";

    public static OciSpec Parse(ReadOnlySpan<byte> json, string source)
    {
        try
        {
            OciSpec spec = JsonSerializer.Deserialize(json, OciSpecJsonContext.Default.OciSpec)
                           ?? throw new MiniRunException($"{source}: empty (null), not a runtime configuration");
            UnknownMembersReader.Collect(json, spec);
            return spec;
        }
        catch (JsonException e)
        {
            throw new MiniRunException($"{source}: not a valid runtime configuration: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>A process.json of `exec --process` (config.md's process object alone).</summary>
    public static OciProcess ParseProcess(ReadOnlySpan<byte> json, string source)
    {
        OciProcess process = ParsePart(json, source, OciSpecJsonContext.Default.OciProcess, "process");
        UnknownMembersReader.Collect(json, process);
        return process;
    }

    /// <summary>The resources of `update --resources` (config-linux.md's linux.resources object alone).</summary>
    public static LinuxResources ParseResources(ReadOnlySpan<byte> json, string source)
    {
        LinuxResources resources = ParsePart(json, source, OciSpecJsonContext.Default.LinuxResources, "linux.resources");
        UnknownMembersReader.Collect(json, resources);
        return resources;
    }

    private static T ParsePart<T>(ReadOnlySpan<byte> json, string source, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new MiniRunException($"{source}: empty (null), not a {what} object");
        }
        catch (JsonException e)
        {
            throw new MiniRunException($"{source}: not a valid {what} object: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>The spec as UTF-8 JSON, written by the same (fast-path) writer as <see cref="ToText"/>.</summary>
    public static byte[] ToBytes(OciSpec spec) => JsonSerializer.SerializeToUtf8Bytes(spec, OciSpecWriteContext.Default.OciSpec);

    /// <summary>The spec as config.json's text, with a final newline.</summary>
    public static string ToText(OciSpec spec)
    {
        if (spec.Linux?.Seccomp is not { CachedJson: { } section } seccomp) return JsonSerializer.Serialize(spec, OciSpecWriteContext.Default.OciSpec) + "\n";
        // A cached section goes in as the text it is (already indented for its place): linux.seccomp is left out of the
        // serializing and its text put back as linux's last member, before the line that closes linux (two spaces, "}").
        spec.Linux.Seccomp = null;
        try
        {
            string json = JsonSerializer.Serialize(spec, OciSpecWriteContext.Default.OciSpec);
            int linux = json.IndexOf("\n  \"linux\": {", StringComparison.Ordinal);
            int end = linux < 0 ? -1 : json.IndexOf("\n  }", linux, StringComparison.Ordinal);
            if (end < 0) throw new InvalidOperationException("config.json: no linux object to put the seccomp section in");
            return string.Concat(json[..end], ",\n    \"seccomp\": ", section, json[end..] + "\n");
        }
        finally
        {
            spec.Linux.Seccomp = seccomp;
        }
    }

    /// <summary>Reads <c>config.json</c> of a bundle directory.</summary>
    public static OciSpec Read(string bundle)
    {
        string path = Path.Combine(bundle, FileName);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NotFoundException($"{path}: no such file; a bundle holds its config.json");
        }
        return Parse(bytes, path);
    }

    /// <summary>Writes <c>config.json</c> into a bundle directory, whole or not at all.</summary>
    public static void Write(string bundle, OciSpec spec) =>
        AtomicFile.WriteAllBytes(Path.Combine(bundle, FileName), ToBytes(spec), durable: false);
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(OciSpec))]
[JsonSerializable(typeof(OciProcess))]
[JsonSerializable(typeof(LinuxResources))]
internal sealed partial class OciSpecJsonContext : JsonSerializerContext;

/// <summary>
/// Writing only, with the generator's fast path (Utf8JsonWriter calls, no metadata to build): every start writes its
/// config.json, and building the metadata cost about 2 ms of CPU, more than the write itself. The fast path takes no
/// [JsonExtensionData], which is why the OCI types keep their unknown members apart (<see cref="UnknownMembersReader"/>).
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(OciSpec))]
internal sealed partial class OciSpecWriteContext : JsonSerializerContext;
