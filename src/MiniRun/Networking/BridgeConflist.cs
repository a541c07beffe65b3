using System.Text.Json.Nodes;
using MiniRun.Networking.Cni;

namespace MiniRun.Networking;

/// <summary>
/// The conflist of a network made by `network create`, what Docker's bridge driver does in CNI terms (nerdctl's
/// default too): a Linux bridge mr-&lt;short id&gt; that is the containers' gateway, host-local addresses from the subnet
/// (its records in the store), then portmap for -p. The NAT and the forwarding are the network's own iptables rules
/// (<see cref="NetworkRules"/>), made once as Docker's are, not the bridge plugin's ipMasq and the firewall plugin's
/// rules per container; no tuning either (without a sysctl it does nothing, and costs a run).
/// </summary>
public static class BridgeConflist
{
    public const string CniVersion = "1.0.0";

    /// <summary>Docker's br-&lt;12 hex&gt;: 15 characters, the longest interface name (IFNAMSIZ - 1).</summary>
    public static string BridgeName(string id) => "mr-" + id[..12];

    /// <param name="bridge">the Linux bridge's name; null: <see cref="BridgeName"/> of the ID.</param>
    public static NetworkConfigList Build(string name, string id, DateTimeOffset created, Ipv4Subnet subnet, uint gateway, string ipamDataDir, string? bridge = null)
    {
        var document = new JsonObject
        {
            ["cniVersion"] = CniVersion,
            ["name"] = name,
            [NetworkRecord.IdField] = id,
            [NetworkRecord.CreatedField] = created.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            [NetworkRules.MasqueradeField] = true, // NAT: one rule for the network, not the bridge plugin's per container
            [NetworkRules.ForwardField] = true, // FORWARD: two rules for the network, not the firewall plugin's per container
            ["plugins"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "bridge",
                    ["bridge"] = bridge ?? BridgeName(id),
                    ["isGateway"] = true,
                    ["ipMasq"] = false,
                    ["hairpinMode"] = true,
                    // --ip: runtimeConfig.ips, which host-local then gives out (CNI's conventions.md).
                    ["capabilities"] = new JsonObject { ["ips"] = true },
                    ["ipam"] = new JsonObject
                    {
                        ["type"] = "host-local",
                        ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = subnet.ToString(), ["gateway"] = Ipv4Subnet.FormatAddress(gateway) })),
                        ["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" }),
                        ["dataDir"] = ipamDataDir,
                    },
                },
                new JsonObject { ["type"] = "portmap", ["capabilities"] = new JsonObject { ["portMappings"] = true } }),
        };
        return NetworkConfigList.FromDocument(document, $"network {name}");
    }
}
