using System.Net;

namespace MiniRun.Images.Registry;

/// <summary>
/// Where a reference's registry answers: the API host (Docker Hub's for <c>docker.io</c>) and whether plain HTTP is
/// allowed. As dockerd: only for loopback registries (localhost, 127.0.0.0/8, ::1) and those listed as insecure.
/// </summary>
public sealed record RegistryEndpoint(string Domain, string Host, bool AllowsPlainHttp)
{
    /// <summary>Environment variable with extra insecure registries, comma or space separated (host or host:port).</summary>
    public const string InsecureRegistriesVariable = "MINIRUN_INSECURE_REGISTRIES";

    public static RegistryEndpoint For(string domain, IEnumerable<string> insecureRegistries)
    {
        string host = DockerHub.ApiHostFor(domain);
        bool insecure = IsLoopback(host) || insecureRegistries.Any(r => Matches(r, domain) || Matches(r, host));
        return new RegistryEndpoint(domain, host, insecure);
    }

    /// <summary>The insecure registries named by <see cref="InsecureRegistriesVariable"/>.</summary>
    public static IReadOnlyList<string> FromEnvironment() =>
        (Environment.GetEnvironmentVariable(InsecureRegistriesVariable) ?? "")
            .Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The base URL for a scheme: <c>https://host/</c>.</summary>
    public Uri BaseUri(bool plainHttp) => new($"{(plainHttp ? "http" : "https")}://{Host}/");

    /// <summary>localhost, 127.0.0.0/8 and ::1, with or without a port (dockerd's isSecureIndex treats these as insecure).</summary>
    public static bool IsLoopback(string hostAndPort)
    {
        string host = HostPart(hostAndPort);
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out IPAddress? address) && IPAddress.IsLoopback(address);
    }

    /// <summary>An entry "host" matches host with any port; "host:port" only that port.</summary>
    private static bool Matches(string entry, string hostAndPort)
    {
        entry = entry.Trim().TrimEnd('/');
        int scheme = entry.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) entry = entry[(scheme + 3)..];
        if (entry.Equals(hostAndPort, StringComparison.OrdinalIgnoreCase)) return true;
        return entry.Equals(HostPart(hostAndPort), StringComparison.OrdinalIgnoreCase) && HostPart(entry) == entry;
    }

    private static string HostPart(string hostAndPort)
    {
        if (hostAndPort.StartsWith('['))
        {
            int close = hostAndPort.IndexOf(']');
            return close > 0 ? hostAndPort[1..close] : hostAndPort;
        }
        int colon = hostAndPort.LastIndexOf(':');
        return colon > 0 && hostAndPort.IndexOf(':') == colon ? hostAndPort[..colon] : hostAndPort;
    }
}
