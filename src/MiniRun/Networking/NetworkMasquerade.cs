using MiniRun.Native;
using MiniRun.Networking.Cni;

namespace MiniRun.Networking;

/// <summary>
/// A network's NAT as Docker makes it: one rule per network, `POSTROUTING -s SUBNET ! -o BRIDGE -j MASQUERADE`, made
/// with the network's bridge and removed with the network, instead of the bridge plugin's ipMasq, which adds and
/// deletes a chain of its own per container (15 iptables runs of the 29 that a container's ADD and DEL cost).
/// </summary>
public static class NetworkMasquerade
{
    /// <summary>The conflist field that says the network's NAT is this rule (networks made before it keep ipMasq).</summary>
    public const string Field = "minirunMasquerade";

    /// <summary>The rule for networks that have it: its subnet and bridge; null for others.</summary>
    public static string[]? Rule(NetworkConfigList config)
    {
        if (config.Document[Field]?.GetValue<bool>() != true) return null;
        string? bridge = config.Plugins.FirstOrDefault(p => p["type"]?.ToString() == "bridge")?["bridge"]?.ToString();
        string? subnet = NetworkRecord.FromConfig(config).Subnet;
        return bridge is null || subnet is null ? null
            : ["POSTROUTING", "-s", subnet, "!", "-o", bridge, "-m", "comment", "--comment", $"minirun network {config.Name}", "-j", "MASQUERADE"];
    }

    /// <summary>Before a container's ADD, when the bridge is not there yet (the network's first container since it was made): the rule, once.</summary>
    public static void EnsureForFirstContainer(ISyscalls sys, NetworkConfigList config)
    {
        if (Rule(config) is not { } rule || Directory.Exists(Path.Combine("/sys/class/net", rule[5]))) return;
        string iptables = Iptables();
        sys.Explain($"network {config.Name}'s NAT, as Docker's: what leaves its subnet by another interface than its bridge leaves with the host's address");
        if (Copies(sys, iptables, config) > 0) return;
        (int status, _) = sys.RunProgram(iptables, ["iptables", "-w", "-t", "nat", "-A", .. rule], [], []);
        if (status != 0) throw new MiniRunException($"network {config.Name}: iptables could not add its MASQUERADE rule (status {status})");
    }

    /// <summary>With the network: its rule, when there is one.</summary>
    public static void Remove(ISyscalls sys, NetworkConfigList config)
    {
        if (Rule(config) is not { } rule) return;
        string iptables = Iptables();
        sys.Explain($"network {config.Name}'s NAT rule goes with it");
        for (int copies = Copies(sys, iptables, config); copies > 0; copies--)
            sys.RunProgram(iptables, ["iptables", "-w", "-t", "nat", "-D", .. rule], [], []);
    }

    /// <summary>How many times the rule is in POSTROUTING (`iptables -S`, not -C: that one complains on stderr when it is not).</summary>
    private static int Copies(ISyscalls sys, string iptables, NetworkConfigList config)
    {
        (int status, byte[] output) = sys.RunProgram(iptables, ["iptables", "-w", "-t", "nat", "-S", "POSTROUTING"], [], []);
        string marker = $"--comment \"minirun network {config.Name}\"";
        return status != 0 ? 0 : System.Text.Encoding.UTF8.GetString(output).Split('\n').Count(l => l.Contains(marker, StringComparison.Ordinal) && l.Contains("MASQUERADE", StringComparison.Ordinal));
    }

    private static string Iptables() =>
        ExecutableSearch.Find("iptables", Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } path ? [$"PATH={path}:/usr/sbin:/sbin"] : [])
        ?? throw new MiniRunException("iptables is not installed: a bridge network's NAT needs it (apt-get install iptables)");
}
