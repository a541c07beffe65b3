using System.Text.Json.Serialization;

namespace MiniRun.Images;

/// <summary>
/// One image in a <c>docker save</c> archive's <c>manifest.json</c> (moby image/tarexport): the config file,
/// the names, and the layer files bottom first (<c>&lt;id&gt;/layer.tar</c> up to Docker 24, <c>blobs/sha256/…</c> since 25).
/// </summary>
public sealed class DockerManifestEntry
{
    [JsonPropertyName("Config")] public string? Config { get; set; }
    [JsonPropertyName("RepoTags")] public List<string>? RepoTags { get; set; }
    [JsonPropertyName("Layers")] public List<string>? Layers { get; set; }
    [JsonPropertyName("LayerSources")] public Dictionary<string, OciDescriptor>? LayerSources { get; set; }
}
