using System.Text.Json.Nodes;
using MiniRun.Native;
using MiniRun.Networking.Cni;

namespace MiniRun.Networking;

/// <summary>
/// A network's own iptables rules, per network as Docker's bridge driver makes them, not per container as the plugins
/// do: made with the network's bridge (its first container), removed with the network, each marked with the comment
/// "minirun network NAME". Its NAT, `POSTROUTING -s SUBNET ! -o BRIDGE -j MASQUERADE`, instead of the bridge plugin's
/// ipMasq (a chain of its own per container: 15 iptables runs of a container's ADD and DEL); its forwarding, two ACCEPT
/// rules first in FORWARD, instead of the firewall plugin's two rules per container (14 iptables runs per ADD and DEL).
/// </summary>
public static class NetworkRules
{
    /// <summary>The conflist fields that say the network has these rules (networks made before keep ipMasq, the firewall plugin).</summary>
    public const string MasqueradeField = "minirunMasquerade", ForwardField = "minirunForward";

    /// <summary>The rules the network's conflist asks for, in the order they are made; none for a conflist of the user's own.</summary>
    public static IReadOnlyList<IptablesRule> Of(NetworkConfigList config)
    {
        string? bridge = BridgeOf(config);
        if (bridge is null) return [];
        string[] comment = ["-m", "comment", "--comment", $"minirun network {config.Name}"];
        List<IptablesRule> rules = [];
        if (Has(config, MasqueradeField) && NetworkRecord.FromConfig(config).Subnet is { } subnet)
            rules.Add(new("nat", "POSTROUTING", First: false, ["-s", subnet, "!", "-o", bridge, .. comment, "-j", "MASQUERADE"],
                $"network {config.Name}'s NAT, as Docker's: what leaves its subnet by another interface than its bridge leaves with the host's address"));
        if (Has(config, ForwardField))
        {
            // First in FORWARD, as the firewall plugin's jump and Docker's: a host's DROP rules or policy (Docker's) come after.
            // Each -I goes on top: made in this order, the chain reads -i then -o.
            rules.Add(new("filter", "FORWARD", First: true, ["-o", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED,DNAT", .. comment, "-j", "ACCEPT"],
                $"network {config.Name}'s forwarding, first in FORWARD as Docker's: to its containers, replies and connections to their published ports (portmap's DNAT)"));
            rules.Add(new("filter", "FORWARD", First: true, ["-i", bridge, .. comment, "-j", "ACCEPT"],
                $"network {config.Name}'s forwarding, first in FORWARD: from its containers, out or to each other"));
        }
        return rules;
    }

    /// <summary>Before a container's ADD, when the bridge is not there yet (the network's first container since it was made): the rules, once.</summary>
    public static void EnsureForFirstContainer(ISyscalls sys, NetworkConfigList config)
    {
        IReadOnlyList<IptablesRule> rules = Of(config);
        if (rules.Count == 0 || Directory.Exists(Path.Combine("/sys/class/net", BridgeOf(config)!))) return;
        string iptables = Iptables();
        Dictionary<string, string[]> listed = List(sys, iptables, config, rules, "made once, with its bridge (its first container)");
        foreach (IptablesRule rule in rules)
        {
            if (Copies(listed, rule) > 0) continue;
            sys.Explain(rule.Purpose);
            (int status, _) = sys.RunProgram(iptables, rule.Add, [], []);
            if (status != 0) throw new MiniRunException($"network {config.Name}: iptables could not add its {rule.Table} rule {rule.Listed} (status {status})");
        }
    }

    /// <summary>With the network: its rules, every copy of them.</summary>
    public static void Remove(ISyscalls sys, NetworkConfigList config)
    {
        IReadOnlyList<IptablesRule> rules = Of(config);
        if (rules.Count == 0) return;
        string iptables = Iptables();
        Dictionary<string, string[]> listed = List(sys, iptables, config, rules, "removed with it (every copy)");
        foreach (IptablesRule rule in rules)
            for (int copies = Copies(listed, rule); copies > 0; copies--)
                sys.RunProgram(iptables, rule.Delete, [], []);
    }

    /// <summary>Each table's rules as `iptables -S` lists them, one run per table (not -C per rule: that one complains on stderr when it is not there).</summary>
    private static Dictionary<string, string[]> List(ISyscalls sys, string iptables, NetworkConfigList config, IReadOnlyList<IptablesRule> rules, string why) =>
        rules.GroupBy(r => r.Table).ToDictionary(table => table.Key, table =>
        {
            string[] chains = table.Select(r => r.Chain).Distinct().ToArray();
            sys.Explain($"network {config.Name}'s own rules, {why}: which the {table.Key} table has");
            (int status, byte[] output) = sys.RunProgram(iptables, ["iptables", "-w", "-t", table.Key, "-S", .. chains.Length == 1 ? chains : []], [], []);
            return status != 0 ? [] : System.Text.Encoding.UTF8.GetString(output).Split('\n');
        });

    private static int Copies(Dictionary<string, string[]> listed, IptablesRule rule) =>
        listed[rule.Table].Count(line => line.TrimEnd() == rule.Listed);

    private static string? BridgeOf(NetworkConfigList config) =>
        config.Plugins.FirstOrDefault(p => p["type"]?.ToString() == "bridge")?["bridge"]?.ToString();

    private static bool Has(NetworkConfigList config, string field) =>
        config.Document[field] is JsonValue value && value.TryGetValue(out bool on) && on;

    private static string Iptables() =>
        ExecutableSearch.FindOnHost("iptables", alsoIn: "/usr/sbin:/sbin")
        ?? throw new MiniRunException("iptables is not installed: a bridge network's NAT and forwarding need it (apt-get install iptables)");
}
