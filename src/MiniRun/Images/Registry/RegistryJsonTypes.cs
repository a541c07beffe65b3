using System.Text.Json.Serialization;

namespace MiniRun.Images.Registry;

/// <summary>The JSON a token server answers (Docker's token spec: "token", or OAuth2's "access_token").</summary>
public sealed class TokenResponse
{
    [JsonPropertyName("token")] public string? Token { get; set; }
    [JsonPropertyName("access_token")] public string? AccessToken { get; set; }
}

/// <summary>The error body of the distribution API (distribution-spec: {"errors":[{"code","message"}]}).</summary>
public sealed class RegistryErrorBody
{
    [JsonPropertyName("errors")] public List<RegistryError>? Errors { get; set; }
}

public sealed class RegistryError
{
    [JsonPropertyName("code")] public string? Code { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
}
