using System.Text.Json.Serialization;

namespace MiniRun.Containers;

/// <summary>
/// A published port: the container's <see cref="Port"/>/<see cref="Protocol"/> reached at <see cref="HostIp"/>:<see cref="HostPort"/>
/// (one entry of Docker's NetworkSettings.Ports). MiniRun publishes none yet (no -p: networking comes first); `port` reads them.
/// </summary>
public sealed record PortBinding
{
    public required int Port { get; init; }
    /// <summary>tcp, udp or sctp.</summary>
    public required string Protocol { get; init; }
    public required string HostIp { get; init; }
    public required int HostPort { get; init; }

    /// <summary>"80/tcp", the key Docker lists a port under.</summary>
    [JsonIgnore]
    public string Key => $"{Port}/{Protocol}";

    /// <summary>Where it is reached, as Go's net.JoinHostPort writes it: "0.0.0.0:8080", "[::]:8080".</summary>
    [JsonIgnore]
    public string HostAddress => (HostIp.Contains(':') ? $"[{HostIp}]" : HostIp) + ":" + HostPort;
}
