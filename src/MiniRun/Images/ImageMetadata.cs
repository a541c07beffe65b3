using System.Text.Json.Serialization;

namespace MiniRun.Images;

/// <summary>
/// What the store knows of an image beyond its config (<c>images/&lt;id&gt;/image.json</c>): its unpacked size,
/// when it was added, and the manifest digests it came with (for <c>name@sha256:…</c> references).
/// </summary>
public sealed class ImageMetadata
{
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("added")] public DateTimeOffset Added { get; set; }
    [JsonPropertyName("repoDigests")] public List<string> RepoDigests { get; set; } = [];
}
