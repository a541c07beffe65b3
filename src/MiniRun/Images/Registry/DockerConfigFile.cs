using System.Text.Json.Serialization;

namespace MiniRun.Images.Registry;

/// <summary>The part of Docker's client config (~/.docker/config.json) that holds registry logins.</summary>
public sealed class DockerConfigFile
{
    [JsonPropertyName("auths")] public Dictionary<string, DockerConfigAuth>? Auths { get; set; }
}

/// <summary>One "auths" entry: "auth" is base64("user:password"); some tools write username and password instead.</summary>
public sealed class DockerConfigAuth
{
    [JsonPropertyName("auth")] public string? Auth { get; set; }
    [JsonPropertyName("username")] public string? Username { get; set; }
    [JsonPropertyName("password")] public string? Password { get; set; }
    [JsonPropertyName("identitytoken")] public string? IdentityToken { get; set; }
}

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
