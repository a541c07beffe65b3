using System.Text;
using System.Text.Json;

namespace MiniRun.Images.Registry;

/// <summary>
/// A user name and password for one registry, read from Docker's client config: <c>$DOCKER_CONFIG/config.json</c>,
/// else <c>~/.docker/config.json</c>, "auths" keyed by registry host (Docker Hub's by its legacy index URL).
/// Credential helpers (credsStore) are not consulted: without an entry, pulls are anonymous.
/// </summary>
public sealed record RegistryCredentials(string Username, string Password)
{
    public string BasicHeaderValue => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));

    /// <summary>Docker's config path: $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json.</summary>
    public static string? DefaultConfigPath()
    {
        string? dir = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        if (string.IsNullOrEmpty(dir))
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (string.IsNullOrEmpty(home)) return null;
            dir = Path.Combine(home, ".docker");
        }
        return Path.Combine(dir, "config.json");
    }

    /// <summary>The login for <paramref name="domain"/> in the config file, or null (anonymous).</summary>
    public static RegistryCredentials? Find(string domain, string? configPath)
    {
        if (configPath is null || !File.Exists(configPath)) return null;
        DockerConfigFile config;
        try
        {
            config = JsonSerializer.Deserialize(File.ReadAllBytes(configPath), RegistryJsonContext.Default.DockerConfigFile) ?? new DockerConfigFile();
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{configPath}: malformed JSON ({UserMessages.Detail(e)})");
        }
        foreach ((string key, DockerConfigAuth auth) in config.Auths ?? [])
        {
            if (!KeyNames(key, domain)) continue;
            if (!string.IsNullOrEmpty(auth.Username) && auth.Password is not null) return new RegistryCredentials(auth.Username, auth.Password);
            if (string.IsNullOrEmpty(auth.Auth)) continue;
            string decoded;
            try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth.Auth)); }
            catch (FormatException) { throw new InvalidInputException($"{configPath}: auths[\"{key}\"].auth is not base64"); }
            int colon = decoded.IndexOf(':');
            if (colon <= 0) throw new InvalidInputException($"{configPath}: auths[\"{key}\"].auth is not base64(user:password)");
            return new RegistryCredentials(decoded[..colon], decoded[(colon + 1)..]);
        }
        return null;
    }

    /// <summary>docker's ConvertToHostname: keys may be "host", "host:port" or a URL ("https://host/v1/").</summary>
    private static bool KeyNames(string key, string domain)
    {
        if (domain == DockerHub.Domain && key == DockerHub.CredentialsKey) return true;
        string host = key;
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) host = host[(scheme + 3)..];
        int slash = host.IndexOf('/');
        if (slash >= 0) host = host[..slash];
        return host.Equals(domain, StringComparison.OrdinalIgnoreCase) || (domain == DockerHub.Domain && host == DockerHub.ApiHost);
    }
}
