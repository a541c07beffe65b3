using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace MiniRun.Containers;

/// <summary>
/// A container's published ports at its start: its -p values, and with -P every port it exposes (the image's EXPOSE,
/// --expose, and -p's own container ports) that -p left unbound, each given a host port; then the same in the form CNI's
/// portmap plugin takes them (runtimeConfig "portMappings").
/// </summary>
public static class PublishedPorts
{
    /// <summary>Docker's HostIp when -p names none (Docker 28 also lists [::] with IPv6 on; minirun publishes IPv4 only).</summary>
    public const string AnyAddress = "0.0.0.0";

    /// <summary>The bindings, in -p order then -P's by port and protocol; host ports are chosen now (see <see cref="HostPortAllocator"/>).</summary>
    /// <param name="publish">-p values, as <see cref="PortRequests.Normalize"/> kept them.</param>
    /// <param name="expose">--expose values.</param>
    /// <param name="imageExposedPorts">the image config's ExposedPorts keys ("80/tcp").</param>
    public static List<PortBinding> Resolve(IReadOnlyList<string> publish, bool publishAll, IReadOnlyList<string> expose,
        IEnumerable<string>? imageExposedPorts, HostPortAllocator allocator)
    {
        List<PortRequest> requests = publish.SelectMany(PortRequests.Parse).ToList();
        // The same fixed binding given twice is one (Docker lists it twice and binds it once); -p 80 -p 80 asks for two free ports.
        requests = requests.Where((r, i) => r.HostPorts is not { } p || p.First != p.Last || requests.IndexOf(r) == i).ToList();
        var bindings = new List<PortBinding>();
        foreach (PortRequest request in requests)
            bindings.Add(Bind(request.ContainerPort, request.Protocol, request.HostIp.Length == 0 ? AnyAddress : Canonical(request.HostIp), request.HostPorts, allocator));
        if (!publishAll) return bindings;

        HashSet<string> bound = requests.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        IEnumerable<(int Port, string Protocol)> exposed = (imageExposedPorts ?? []).SelectMany(PortRequests.ParseImageExposed)
            .Concat(expose.SelectMany(PortRequests.ParseExpose))
            .Where(key => !bound.Contains(key)).Distinct(StringComparer.Ordinal)
            .Select(key => key.Split('/'))
            .Select(parts => (int.Parse(parts[0], CultureInfo.InvariantCulture), parts[1]))
            .OrderBy(p => p.Item1).ThenBy(p => p.Item2, StringComparer.Ordinal);
        foreach ((int port, string protocol) in exposed)
            bindings.Add(Bind(port, protocol, AnyAddress, null, allocator));
        return bindings;
    }

    /// <summary>
    /// portmap's runtimeConfig.portMappings (CNI's CONVENTIONS.md): one entry per binding, hostIP left out for every
    /// address. The caller puts it in the attachment's capability arguments under "portMappings".
    /// </summary>
    public static JsonArray CniPortMappings(IEnumerable<PortBinding> bindings)
    {
        var mappings = new JsonArray();
        foreach (PortBinding binding in bindings)
        {
            var mapping = new JsonObject { ["hostPort"] = binding.HostPort, ["containerPort"] = binding.Port, ["protocol"] = binding.Protocol };
            if (binding.HostIp != AnyAddress) mapping["hostIP"] = binding.HostIp;
            mappings.Add((JsonNode)mapping);
        }
        return mappings;
    }

    private static PortBinding Bind(int port, string protocol, string hostIp, PortRange? hostPorts, HostPortAllocator allocator) =>
        port == 0 ? throw new MiniRunException($"cannot publish container port 0/{protocol}: a container's ports are 1 to 65535")
        : new PortBinding { Port = port, Protocol = protocol, HostIp = hostIp, HostPort = allocator.Take(hostIp, protocol, hostPorts) };

    /// <summary>One spelling per address (FE80::1 and fe80::1 are one), as Docker's port list writes it.</summary>
    private static string Canonical(string ip) => IPAddress.Parse(ip).ToString();
}
