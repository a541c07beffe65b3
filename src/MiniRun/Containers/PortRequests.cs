using System.Net;
using System.Net.Sockets;

namespace MiniRun.Containers;

/// <summary>
/// docker run -p/--publish and --expose, read by Docker's rules and with its error texts (docker/cli's
/// convertToStandardNotation, then go-connections' nat.ParsePortSpec and SplitProtoPort):
/// -p [IP:][HOSTPORT[-HOSTEND]:]CTRPORT[-CTREND][/tcp|udp|sctp], an IPv6 IP in brackets ([::1]:8080:80), or the long
/// form target=80,published=8080,protocol=udp. Only the text is checked here; host ports are chosen at start.
/// </summary>
public static class PortRequests
{
    /// <summary>What Docker's create says when -p meets --network host (the container has the host's ports).</summary>
    public const string HostNetworkWarning = "Published ports are discarded when using host network mode";

    /// <summary>Docker's refusal of -p, -P or --expose with --network container:NAME (that container's ports are its).</summary>
    public const string ContainerNetworkConflict = "conflicting options: port publishing and the container type network mode";

    private static readonly string[] Protocols = ["tcp", "udp", "sctp"];
    private const string PublishForm = " (-p takes [IP:][HOSTPORT[-END]:]PORT[-END][/tcp|udp|sctp])";
    private const string ExposeForm = " (--expose takes PORT[-END][/tcp|udp|sctp])";

    /// <summary>A -p value checked, in the short form it is kept in (the long form target=…,published=… rewritten).</summary>
    public static string Normalize(string flag)
    {
        string standard = StandardNotation(flag);
        ParseStandard(standard);
        return standard; // holds no '=' (a checked short form never does), so it reads the same again
    }

    /// <summary>The container ports one -p value publishes, in order.</summary>
    public static IReadOnlyList<PortRequest> Parse(string flag) => ParseStandard(StandardNotation(flag));

    private static List<PortRequest> ParseStandard(string raw)
    {
        (string ip, string hostPort, string containerPort) = SplitParts(raw);
        (string protocol, containerPort) = SplitProtoPort(containerPort);
        if (ip.Length > 0 && ip[0] == '[') ip = StripBrackets(ip);
        if (ip.Length > 0 && !IsIpAddress(ip)) throw Invalid($"invalid IP address: {ip}");
        if (containerPort.Length == 0) throw Invalid($"no port specified: {raw}<empty>");
        PortRange container = TryRange(containerPort) ?? throw Invalid($"invalid containerPort: {containerPort}");
        PortRange? host = hostPort.Length == 0 ? null : TryRange(hostPort) ?? throw Invalid($"invalid hostPort: {hostPort}");
        // A host range as long as the container's, or any host range for one container port (a free one is taken from it).
        if (host is { } h && h.Count != container.Count && container.Count != 1)
            throw Invalid($"invalid ranges specified for container and host Ports: {containerPort} and {hostPort}");
        string lower = protocol.ToLowerInvariant();
        if (!Protocols.Contains(lower)) throw Invalid($"invalid proto: {protocol}");

        var requests = new List<PortRequest>(container.Count);
        for (int i = 0; i < container.Count; i++)
        {
            PortRange? hostPorts = host is not { } range ? null
                : container.Count == 1 ? range
                : new PortRange(range.First + i, range.First + i);
            if (hostPorts is { First: 0, Last: 0 }) hostPorts = null; // -p 0:80: any free port, as Docker's HostPort "0"
            requests.Add(new PortRequest(container.First + i, lower, ip, hostPorts));
        }
        return requests;
    }

    /// <summary>An --expose value checked, kept as it is given.</summary>
    public static string NormalizeExpose(string flag)
    {
        ParseExpose(flag);
        return flag;
    }

    /// <summary>The ports an --expose value names, as "80/tcp" keys (Docker's Config.ExposedPorts).</summary>
    public static IReadOnlyList<string> ParseExpose(string flag)
    {
        if (flag.Contains(':')) throw new InvalidInputException($"invalid port format for --expose: {flag}{ExposeForm}");
        (string protocol, string port) = SplitProtoPort(flag);
        PortRange range;
        try { range = PortRange.Parse(port); }
        catch (FormatException e) { throw new InvalidInputException($"invalid range format for --expose: {flag}, error: {e.Message}{ExposeForm}"); }
        // Docker keeps any protocol here (--expose 80/foo) and fails only when it is published; refused now instead.
        string lower = protocol.ToLowerInvariant();
        if (!Protocols.Contains(lower)) throw new InvalidInputException($"invalid proto: {protocol}{ExposeForm}");
        return Enumerable.Range(range.First, range.Count).Select(p => $"{p}/{lower}").ToList();
    }

    /// <summary>An image's ExposedPorts key ("80/tcp", "53/udp", a bare "80"), as "80/tcp" keys; an image's own mistake is said as such.</summary>
    public static IReadOnlyList<string> ParseImageExposed(string key)
    {
        try { return ParseExpose(key); }
        catch (InvalidInputException) { throw new InvalidInputException($"the image exposes \"{key}\", which is not PORT[/tcp|udp|sctp]: publish its ports with -p instead of -P"); }
    }

    /// <summary>The warning Docker's create prints for these -p values on this network, if any.</summary>
    public static string? Warning(bool hostNetwork, IReadOnlyList<string> publish) =>
        hostNetwork && publish.Count > 0 ? HostNetworkWarning : null;

    /// <summary>docker/cli's convertToStandardNotation: target=80,published=8080,protocol=udp → "8080:80/udp" (other keys ignored, host_ip too).</summary>
    private static string StandardNotation(string flag)
    {
        if (!flag.Contains('=')) return flag;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal) { ["protocol"] = "tcp" };
        foreach (string field in flag.Split(','))
        {
            int equals = field.IndexOf('=');
            if (equals <= 0) throw Invalid($"invalid publish opts format (should be name=value but got '{field}')");
            fields[field[..equals]] = field[(equals + 1)..];
        }
        return $"{fields.GetValueOrDefault("published")}:{fields.GetValueOrDefault("target")}/{fields["protocol"]}";
    }

    /// <summary>nat's splitParts: the last part is the container's, the one before the host's, the rest (colons and all) the IP.</summary>
    private static (string Ip, string HostPort, string ContainerPort) SplitParts(string raw)
    {
        string[] parts = raw.Split(':');
        int n = parts.Length;
        return n switch
        {
            1 => ("", "", parts[0]),
            2 => ("", parts[0], parts[1]),
            _ => (string.Join(':', parts[..(n - 2)]), parts[n - 2], parts[n - 1]),
        };
    }

    /// <summary>nat.SplitProtoPort: "80/udp" → (udp, 80); no protocol or an empty one is tcp; "/udp" is no port at all.</summary>
    private static (string Protocol, string Port) SplitProtoPort(string text)
    {
        string[] parts = text.Split('/');
        if (text.Length == 0 || parts[0].Length == 0) return ("", "");
        return parts.Length == 1 || parts[1].Length == 0 ? ("tcp", parts[0]) : (parts[1], parts[0]);
    }

    private static PortRange? TryRange(string text)
    {
        try { return PortRange.Parse(text); }
        catch (FormatException) { return null; }
    }

    /// <summary>Go's net.SplitHostPort(ip + ":"), which Docker uses to take the brackets off an IPv6 address; its error texts.</summary>
    private static string StripBrackets(string ip)
    {
        string hostPort = ip + ":";
        int end = hostPort.IndexOf(']');
        string? why = end < 0 ? "missing ']' in address"
            : end + 1 != hostPort.Length - 1 ? (hostPort[end + 1] == ':' ? "too many colons in address" : "missing port in address")
            : hostPort.IndexOf('[', 1) >= 0 ? "unexpected '[' in address"
            : hostPort.IndexOf(']', end + 1) >= 0 ? "unexpected ']' in address"
            : null;
        return why is null ? hostPort[1..end] : throw Invalid($"invalid IP address {ip}: address {hostPort}: {why}");
    }

    /// <summary>Go's net.ParseIP: dotted IPv4 without leading zeros (no 127.1, no 010.0.0.1), or IPv6 without a zone.</summary>
    private static bool IsIpAddress(string text)
    {
        if (text.Contains(':'))
            return text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
                && IPAddress.TryParse(text, out IPAddress? address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        string[] parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)
            && (p.Length == 1 || p[0] != '0') && int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) <= 255);
    }

    private static InvalidInputException Invalid(string message) => new(message + PublishForm);
}
