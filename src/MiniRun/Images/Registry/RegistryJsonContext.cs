using System.Text.Json.Serialization;

namespace MiniRun.Images.Registry;

/// <summary>Source-generated JSON for the registry client (no reflection under NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RegistryErrorBody))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
