using System.Text.Json.Serialization;

namespace MiniRun.Images;

/// <summary>
/// The image configuration blob (OCI image-spec config.md; Docker's image JSON is a superset).
/// Unknown fields are kept in <see cref="Extra"/> so that a config read and written again is not silently trimmed.
/// </summary>
public sealed class ImageConfig
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; set; }
    [JsonPropertyName("author")] public string? Author { get; set; }
    [JsonPropertyName("architecture")] public string? Architecture { get; set; }
    [JsonPropertyName("variant")] public string? Variant { get; set; }
    [JsonPropertyName("os")] public string? Os { get; set; }
    [JsonPropertyName("config")] public ContainerConfig? Config { get; set; }
    [JsonPropertyName("rootfs")] public RootFs RootFs { get; set; } = new();
    [JsonPropertyName("history")] public List<HistoryEntry>? History { get; set; }
    [JsonExtensionData] public Dictionary<string, System.Text.Json.JsonElement>? Extra { get; set; }
}

/// <summary>The "config" member: what a container of this image runs by default.</summary>
public sealed class ContainerConfig
{
    [JsonPropertyName("User")] public string? User { get; set; }
    [JsonPropertyName("Env")] public List<string>? Env { get; set; }
    [JsonPropertyName("Entrypoint")] public List<string>? Entrypoint { get; set; }
    [JsonPropertyName("Cmd")] public List<string>? Cmd { get; set; }
    [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; set; }
    [JsonPropertyName("Labels")] public Dictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("StopSignal")] public string? StopSignal { get; set; }
    /// <summary>VOLUME: each path a container of the image gets an anonymous volume at (the values are empty objects).</summary>
    [JsonPropertyName("Volumes")] public Dictionary<string, System.Text.Json.JsonElement>? Volumes { get; set; }
    [JsonExtensionData] public Dictionary<string, System.Text.Json.JsonElement>? Extra { get; set; }

    /// <summary>EXPOSE: the keys of ExposedPorts ("80/tcp"), which -P publishes; read from <see cref="Extra"/>, so the config is written back as it came
    /// (not named ExposedPorts: the generated reader would then skip the member instead of keeping it in Extra).</summary>
    [JsonIgnore]
    public IReadOnlyList<string> ExposedPortKeys =>
        Extra?.GetValueOrDefault("ExposedPorts") is { ValueKind: System.Text.Json.JsonValueKind.Object } ports
            ? ports.EnumerateObject().Select(p => p.Name).ToList() : [];
}

public sealed class RootFs
{
    [JsonPropertyName("type")] public string Type { get; set; } = "layers";
    [JsonPropertyName("diff_ids")] public List<string> DiffIds { get; set; } = [];
}

public sealed class HistoryEntry
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; set; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; set; }
    [JsonPropertyName("author")] public string? Author { get; set; }
    [JsonPropertyName("comment")] public string? Comment { get; set; }
    [JsonPropertyName("empty_layer")] public bool? EmptyLayer { get; set; }
}
