using System.Text.Json.Serialization;

namespace MiniRun.Images;

/// <summary>The one source-generated JSON context of the images area (no reflection: NativeAOT and trimming safe).</summary>
[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = false, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow, MaxDepth = 64)]
[JsonSerializable(typeof(ImageConfig))]
[JsonSerializable(typeof(OciManifest))]
[JsonSerializable(typeof(OciIndex))]
[JsonSerializable(typeof(OciLayoutMarker))]
[JsonSerializable(typeof(List<DockerManifestEntry>))]
[JsonSerializable(typeof(ImageMetadata))]
[JsonSerializable(typeof(SortedDictionary<string, string>))]
internal sealed partial class ImagesJsonContext : JsonSerializerContext;
