using System.Text.Json.Serialization;

namespace MiniRun.Images.Registry.Credentials;

/// <summary>The JSON a credential helper reads on "store" and prints on "get" (docker-credential-helpers credentials.Credentials).</summary>
public sealed class HelperCredentials
{
    [JsonPropertyName("ServerURL")] public string? ServerURL { get; set; }
    [JsonPropertyName("Username")] public string? Username { get; set; }
    [JsonPropertyName("Secret")] public string? Secret { get; set; }
}

/// <summary>Source-generated JSON for the helper protocol (no reflection under NativeAOT).</summary>
[JsonSerializable(typeof(HelperCredentials))]
internal sealed partial class CredentialsJsonContext : JsonSerializerContext;
