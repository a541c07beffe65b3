namespace MiniRun.Images.Registry.Credentials;

/// <summary>
/// Docker's names for a registry in config.json: Docker Hub's legacy index URL, every other registry by host[:port]
/// (docker/cli cli/command/registry/login.go and cli/config/credentials ConvertToHostname).
/// </summary>
public static class ServerAddress
{
    /// <summary>The key docker login writes for Docker Hub (registry.IndexServer).</summary>
    public const string DockerHubKey = "https://index.docker.io/v1/";

    private static readonly string[] DockerHubNames = [DockerHub.Domain, DockerHub.IndexHost, DockerHub.ApiHost];

    /// <summary>"https://host:port/v1/" → "host:port", as ConvertToHostname: the scheme and any path go.</summary>
    public static string ToHostname(string address)
    {
        string host = address;
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) host = host[(scheme + 3)..];
        int slash = host.IndexOf('/');
        return slash >= 0 ? host[..slash] : host;
    }

    /// <summary>The key docker login stores SERVER under: Docker Hub's index URL when none or Hub is named, else its host.</summary>
    public static string ForLogin(string? server)
    {
        if (string.IsNullOrEmpty(server) || server == DockerHubKey) return DockerHubKey;
        string host = ToHostname(server);
        if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '@' or '?' or '#'))
            throw new InvalidInputException($"\"{server}\" is not a registry address (host[:port], e.g. registry.example.com:5000)");
        return DockerHubNames.Contains(host, StringComparer.OrdinalIgnoreCase) ? DockerHubKey : host;
    }

    /// <summary>The key a pull looks up for a reference's domain (registry.ResolveAuthConfig).</summary>
    public static string ForDomain(string domain) => domain == DockerHub.Domain ? DockerHubKey : domain;

    /// <summary>The reference domain whose registry a key names: what login talks to.</summary>
    public static string DomainOf(string key) => key == DockerHubKey ? DockerHub.Domain : key;

    /// <summary>True when two keys name the same registry (a file written by hand may say "https://host/").</summary>
    public static bool SameRegistry(string key, string other)
    {
        if (key == other) return true;
        string a = ToHostname(key), b = ToHostname(other);
        bool hubA = DockerHubNames.Contains(a, StringComparer.OrdinalIgnoreCase) || key == DockerHubKey;
        bool hubB = DockerHubNames.Contains(b, StringComparer.OrdinalIgnoreCase) || other == DockerHubKey;
        return hubA && hubB || a.Equals(b, StringComparison.OrdinalIgnoreCase);
    }
}
