using System.Net;

namespace MiniRun.Containers;

/// <summary>
/// A container's /etc/hosts as Docker's libnetwork writes it (etchosts.Build at the sandbox's creation, then one
/// etchosts.Add per network joined): localhost and the IPv6 names, the --add-host lines, then "IP\thostname" for each
/// address of the container's own, last. Between them, as legacy links sit there in Docker's file, the peers on its
/// user-defined networks, nerdctl-style (Docker's embedded DNS server answers for those; minirun has none).
/// </summary>
public static class ContainerHostsFile
{
    // etchosts.defaultContent, byte for byte; ff02::1 and ff02::2 are the link-local all-nodes and all-routers groups (RFC 4291 2.7.1).
    private const string Defaults = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n" +
        "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

    /// <summary>The file's content off the host's network.</summary>
    /// <param name="hostname">The container's host name (a name with dots also gets its first label, as Docker's FQDN rule).</param>
    /// <param name="addresses">Its own addresses, one per network joined, in the order joined (none with --network none).</param>
    /// <param name="peers">The other containers on its user-defined networks; written sorted by address, then name, whatever order they come in.</param>
    /// <param name="extraHosts">--add-host flags as <see cref="ExtraHosts.Check"/> gives them.</param>
    public static string Build(string hostname, IReadOnlyList<string> addresses, IReadOnlyList<HostsPeer> peers, IReadOnlyList<string> extraHosts)
    {
        var text = new System.Text.StringBuilder(Defaults);
        foreach (string extra in extraHosts) text.Append(ExtraHosts.Line(extra));
        foreach (HostsPeer peer in peers.OrderBy(p => AddressOrder(p.Address), StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal))
            text.Append(peer.Address).Append('\t').AppendJoin(' ', peer.Aliases.Prepend(peer.Name).Distinct(StringComparer.Ordinal)).Append('\n');
        foreach (string address in addresses) text.Append(address).Append('\t').Append(Names(hostname)).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// The file's content on the host's network: the host's own file (Docker copies it), unless --add-host is given;
    /// then, as Docker, the file <see cref="Build"/> makes with no address of the container's own.
    /// </summary>
    /// <param name="hostFile">The host's /etc/hosts (<see cref="ReadHostFile"/>).</param>
    public static string ForHostNetwork(string hostFile, IReadOnlyList<string> extraHosts) =>
        extraHosts.Count == 0 ? hostFile : Build("", [], [], extraHosts);

    /// <summary>The host's /etc/hosts, "" when there is none.</summary>
    /// <param name="root">Where the host's / is: "/" but in tests.</param>
    public static string ReadHostFile(string root = "/") =>
        File.Exists(Path.Combine(root, "etc/hosts")) ? File.ReadAllText(Path.Combine(root, "etc/hosts")) : "";

    /// <summary>"foo.example.com foo" for a name with dots, as sandbox.updateHostsFile writes the FQDN then the bare name.</summary>
    private static string Names(string hostname) =>
        hostname.IndexOf('.') is var dot and > 0 ? $"{hostname} {hostname[..dot]}" : hostname;

    /// <summary>IPv4 before IPv6, each in numeric order (10.0.0.9 before 10.0.0.10); text that is no address last.</summary>
    private static string AddressOrder(string address) =>
        IPAddress.TryParse(address, out IPAddress? ip) ? $"{(ip.GetAddressBytes().Length == 4 ? 4 : 6)}{Convert.ToHexString(ip.GetAddressBytes())}" : "9" + address;
}
