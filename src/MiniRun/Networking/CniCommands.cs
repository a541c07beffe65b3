using System.Text.Json.Nodes;
using MiniRun.Explain;
using MiniRun.Native;
using MiniRun.Networking.Cni;

namespace MiniRun.Networking;

/// <summary>
/// For --explain: the `ip` and `iptables` commands that make by hand what the bridge, portmap and firewall plugins
/// have just made for one attachment, and the network's own rules (a workshop types these), printed as done, with the
/// plugins' result.
/// </summary>
public static class CniCommands
{
    public static void Describe(ISyscalls sys, NetworkConfigList config, RuntimeConf runtime, CniAddress address, JsonObject result)
    {
        if (sys is LinuxSyscalls || address.Address.Length == 0) return; // only a narration shows them; a dry run has no result
        JsonObject? bridge = config.Plugins.FirstOrDefault(p => p["type"]?.ToString() == "bridge");
        string device = bridge?["bridge"]?.ToString() ?? "cni0";
        string? subnet = NetworkRecord.FromConfig(config).Subnet;
        string hostEnd = (result["interfaces"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(i => (Name: i["name"]?.ToString(), Sandbox: i["sandbox"]?.ToString()))
            .FirstOrDefault(i => string.IsNullOrEmpty(i.Sandbox) && i.Name != device).Name ?? "veth0";
        string ns = ShellQuote.Quote(runtime.NetNs), cidr = $"{address.Address}/{address.PrefixLength}";
        sys.Describe($"echo {ShellQuote.Quote(result.ToJsonString())}",
            $"the result of network {config.Name}'s plugins (kept in the store for CHECK and DEL); what they did, by hand:", alreadyDone: true);
        sys.Describe($"ip link show {device} >/dev/null 2>&1 || {{ ip link add {device} type bridge && ip addr add {address.Gateway}/{address.PrefixLength} dev {device} && ip link set {device} up; }}",
            "bridge plugin: the network's Linux bridge, the containers' gateway (made by the first container)", alreadyDone: true);
        sys.Describe($"ip link add {hostEnd} type veth peer name {runtime.IfName} netns {ns} && ip link set {hostEnd} master {device} up",
            "bridge plugin: a veth pair, one end in the container's namespace, the other on the bridge", alreadyDone: true);
        sys.Describe($"nsenter --net={ns} sh -c 'ip link set {runtime.IfName} up && ip addr add {cidr} dev {runtime.IfName} && ip route add default via {address.Gateway}'",
            "host-local gave the address (its record under networks/ipam); the gateway is the bridge", alreadyDone: true);
        foreach (IptablesRule rule in NetworkRules.Of(config))
            sys.Describe(rule.Command, rule.Purpose + "; made with its first container", alreadyDone: true);
        if (bridge?["ipMasq"]?.GetValue<bool>() == true && subnet is not null)
            sys.Describe($"sysctl -w net.ipv4.ip_forward=1 && iptables -t nat -A POSTROUTING -s {address.Address} ! -d {subnet} -j MASQUERADE",
                "bridge plugin (ipMasq): the container's traffic leaves with the host's address (NAT)", alreadyDone: true);
        if (runtime.CapabilityArgs?["portMappings"] is JsonArray mappings)
            foreach (JsonObject mapping in mappings.OfType<JsonObject>())
            {
                string destination = mapping["hostIP"] is { } ip ? $"-d {ip} " : "";
                sys.Describe($"iptables -t nat -A PREROUTING {destination}-p {mapping["protocol"]} --dport {mapping["hostPort"]} -j DNAT --to-destination {address.Address}:{mapping["containerPort"]}" +
                             $" && iptables -t nat -A OUTPUT {destination}-p {mapping["protocol"]} --dport {mapping["hostPort"]} -j DNAT --to-destination {address.Address}:{mapping["containerPort"]}",
                    "portmap plugin: -p, a DNAT of the host's port to the container's (from outside, and from the host itself)", alreadyDone: true);
            }
        if (config.Plugins.Any(p => p["type"]?.ToString() == "firewall")) // a network made before NetworkRules' forwarding, or the user's own
            sys.Describe($"iptables -A FORWARD -d {address.Address} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT && iptables -A FORWARD -s {address.Address} -j ACCEPT",
                "firewall plugin: forwarding to and from the container is allowed (its CNI-FORWARD chain)", alreadyDone: true);
    }
}
