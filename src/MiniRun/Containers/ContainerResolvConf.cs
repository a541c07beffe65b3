using System.Text.RegularExpressions;

namespace MiniRun.Containers;

/// <summary>
/// A container's /etc/resolv.conf as Docker's libnetwork writes it (sandbox_dns_unix.go, resolvconf/resolvconf.go):
/// the host's file itself on the host's network; else the host's file with the nameservers the container cannot
/// reach taken out (loopback: the host's, not the container's; IPv6: minirun's networks, like Docker's without
/// --ipv6, have none), Google's public servers when none is left. --dns, --dns-search or --dns-option make a new
/// file instead: "search", "nameserver" and "options" lines, each from its flag when given, else from the host's file
/// (off the host's network, only the nameservers the container can reach: Docker 20.10 copies a loopback one there too).
/// Generated files carry no comment header: Docker 20.10 writes none (the engine's later rewrite adds one).
/// </summary>
public static partial class ContainerResolvConf
{
    /// <summary>libnetwork's defaultIPv4Dns, used when no nameserver is left.</summary>
    public static readonly IReadOnlyList<string> DefaultNameservers = ["8.8.8.8", "8.8.4.4"];

    // libnetwork's defaultIPv6Dns: the sandbox is first filtered as if IPv6 were on, which appends these too.
    private static readonly IReadOnlyList<string> DefaultIpv6Nameservers = ["2001:4860:4860::8888", "2001:4860:4860::8844"];

    /// <summary>
    /// The host's file a container's is made from: /etc/resolv.conf, "" when there is none. Off the host's network,
    /// when its only nameserver is systemd-resolved's stub (127.0.0.53), the file of the servers behind it instead, as
    /// Docker's resolvconf.Path() picks (the stub listens on the host's loopback, which the container cannot reach).
    /// </summary>
    /// <param name="root">Where the host's / is: "/" but in tests.</param>
    public static string ReadHostFile(bool hostNetwork, string root = "/")
    {
        string etc = Read(Path.Combine(root, "etc/resolv.conf"));
        return !hostNetwork && Nameservers(etc) is ["127.0.0.53"] && File.Exists(Path.Combine(root, SystemdResolvedFile))
            ? Read(Path.Combine(root, SystemdResolvedFile)) : etc;

        static string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
    }

    private const string SystemdResolvedFile = "run/systemd/resolve/resolv.conf";

    /// <summary>The file's content.</summary>
    /// <param name="hostFile">The host's file, as <see cref="ReadHostFile"/> gives it.</param>
    /// <param name="hostNetwork">--network host: the host's nameservers (even 127.0.0.53) are reachable.</param>
    /// <param name="dns">--dns, checked (<see cref="DnsFlags.CheckNameserver"/>): replaces the nameservers, kept as given (a loopback one is the container's own).</param>
    /// <param name="search">--dns-search, checked: replaces the search list; "." alone means none.</param>
    /// <param name="options">--dns-option: replaces the options.</param>
    public static string Build(string hostFile, bool hostNetwork, IReadOnlyList<string> dns, IReadOnlyList<string> search, IReadOnlyList<string> options)
    {
        if (dns.Count == 0 && search.Count == 0 && options.Count == 0)
            // The sandbox's setupDNS filters with IPv6 assumed on, then the network's join (updateDNS) again with IPv6 off.
            return hostNetwork ? hostFile : Filter(Filter(hostFile, ipv6: true), ipv6: false);

        IReadOnlyList<string> nameservers = dns.Count > 0 ? dns : hostNetwork ? Nameservers(hostFile) : Reachable(Nameservers(hostFile));
        return Format(nameservers, search.Count > 0 ? search : LastList(hostFile, "search"), options.Count > 0 ? options : LastList(hostFile, "options"));
    }

    /// <summary>resolvconf.Build: search, then one line per nameserver, then options; a "." search or empty options write no line.</summary>
    private static string Format(IReadOnlyList<string> nameservers, IReadOnlyList<string> search, IReadOnlyList<string> options)
    {
        var text = new System.Text.StringBuilder();
        string searchList = string.Join(' ', search), optionList = string.Join(' ', options);
        if (search.Count > 0 && searchList.Trim(' ') != ".") text.Append("search ").Append(searchList).Append('\n');
        foreach (string nameserver in nameservers) text.Append("nameserver ").Append(nameserver).Append('\n');
        if (options.Count > 0 && optionList.Trim(' ') != "") text.Append("options ").Append(optionList).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// resolvconf.FilterResolvDNS: loopback nameserver lines (and IPv6 ones unless <paramref name="ipv6"/>) go, with
    /// the blank lines after them; with no nameserver left, the defaults are appended. The rest of the file stays.
    /// </summary>
    private static string Filter(string file, bool ipv6)
    {
        string cleaned = LoopbackNameserverLine().Replace(file, "");
        if (!ipv6) cleaned = Ipv6NameserverLine().Replace(cleaned, "");
        if (Nameservers(cleaned).Count > 0) return cleaned;
        IEnumerable<string> defaults = ipv6 ? [.. DefaultNameservers, .. DefaultIpv6Nameservers] : DefaultNameservers;
        return cleaned + "\n" + string.Join('\n', defaults.Select(n => "nameserver " + n));
    }

    private static IReadOnlyList<string> Reachable(IReadOnlyList<string> nameservers) =>
        nameservers.Where(n => !n.Contains(':') && !n.StartsWith("127.", StringComparison.Ordinal)).ToList() is { Count: > 0 } left ? left : DefaultNameservers;

    /// <summary>resolvconf.GetNameservers: the address of each "nameserver IP" line, comments cut.</summary>
    private static List<string> Nameservers(string file) =>
        [.. Lines(file).Select(l => NameserverLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    /// <summary>resolvconf.GetSearchDomains and GetOptions: the words of the last such line.</summary>
    private static IReadOnlyList<string> LastList(string file, string keyword)
    {
        string[] words = [];
        foreach (string[] fields in Lines(file).Select(l => l.Split([' ', '\t', '\r', '\f', '\v'], StringSplitOptions.RemoveEmptyEntries)))
            if (fields.Length > 0 && fields[0] == keyword) words = fields[1..];
        return words;
    }

    private static IEnumerable<string> Lines(string file) => file.Split('\n').Select(l => l.IndexOf('#') is var hash and >= 0 ? l[..hash] : l);

    // libnetwork's patterns, with Go's \s spelled out (.NET's also matches Unicode spaces).
    private const string Space = @"[\t\n\f\r ]", Ipv4 = @"(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)",
        Ipv6 = @"(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%[0-9A-Za-z_]+)?";

    [GeneratedRegex(@"^nameserver" + Space + @"+(?:127\.(?:[0-9]{1,3}\.){2}[0-9]{1,3}|::1$)" + Space + @"*\n*", RegexOptions.Multiline)]
    private static partial Regex LoopbackNameserverLine();

    [GeneratedRegex(@"^nameserver" + Space + "+" + Ipv6 + Space + @"*\n*", RegexOptions.Multiline)]
    private static partial Regex Ipv6NameserverLine();

    [GeneratedRegex(@"^" + Space + "*nameserver" + Space + "*(" + Ipv4 + "|" + Ipv6 + ")" + Space + "*$")]
    private static partial Regex NameserverLine();
}
