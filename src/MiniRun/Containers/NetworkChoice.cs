using MiniRun.Common;
using MiniRun.Networking;
using System.Net;
using System.Text.Json.Nodes;
using MiniRun.Store;

namespace MiniRun.Containers;

/// <summary>A container's network as its record keeps it: the mode, the CNI networks (bridge modes) and the donor (container:NAME).</summary>
public sealed record NetworkPlan(NetworkMode Mode, List<NetworkEndpoint> Networks, string? Container);

/// <summary>
/// `--network` (with --ip and --network-alias) → <see cref="NetworkPlan"/>, with Docker's rules and messages. Without
/// --network a container gets the default: $MINIRUN_NETWORK, else "network" of the store's config.json, else Docker's
/// bridge (rootless: pasta, Podman's default, <see cref="PastaNetwork"/>). The test suite, the bench and CI set host or
/// none, so that only the networking tests, in a network namespace of their own, make bridges.
/// </summary>
public static class NetworkChoice
{
    public const string Variable = "MINIRUN_NETWORK";

    /// <summary>The store's own settings: {"network": "host"} makes host the default for every run of that store.</summary>
    public const string StoreConfigFile = "config.json";

    public static string Default(StorePaths paths)
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } chosen) return chosen;
        string file = Path.Combine(paths.Root, StoreConfigFile);
        // Rootless: the user-mode network, as Podman's; a bridge needs root on the host.
        string fallback = RootlessMode.Active ? PastaNetwork.Name : NetworkRecord.DefaultBridge;
        if (!File.Exists(file)) return fallback;
        try { return (JsonNode.Parse(File.ReadAllText(file)) as JsonObject)?["network"]?.GetValue<string>() ?? fallback; }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new InvalidInputException($"{file}: not a JSON object with a \"network\" string: fix or remove it");
        }
    }

    /// <param name="given">--network as given; null: <see cref="Default"/>.</param>
    /// <param name="resolveContainer">a container's ID from its name or ID prefix (container:NAME), throwing when there is none.</param>
    public static NetworkPlan Resolve(string? given, string? ip, IReadOnlyList<string> aliases, StorePaths paths, Func<string, string> resolveContainer)
    {
        string network = given ?? Default(paths);
        if (network == "default") network = NetworkRecord.DefaultBridge;
        bool userDefined = network is not ("host" or "none" or NetworkRecord.DefaultBridge or PastaNetwork.Name) && !network.StartsWith("container:", StringComparison.Ordinal);
        if (ip is not null && !userDefined)
            throw new MiniRunException("user specified IP address is supported on user defined networks only");
        if (aliases.Count > 0 && !userDefined)
            throw new MiniRunException("network-scoped alias is supported only for containers in user defined networks");
        if (RootlessMode.Active && network is not ("host" or "none" or PastaNetwork.Name) && !network.StartsWith("container:", StringComparison.Ordinal))
            throw new MiniRunException("bridge networks need root; rootless containers have pasta (the user-mode network, their default), host or none");
        switch (network)
        {
            case PastaNetwork.Name when !RootlessMode.Active:
                throw new MiniRunException("--network pasta is rootless containers' network (pasta runs as the user); root's have bridge networks");
            case PastaNetwork.Name: return new NetworkPlan(NetworkMode.Pasta, [], null);
            case "host": return new NetworkPlan(NetworkMode.Host, [], null);
            case "none": return new NetworkPlan(NetworkMode.None, [], null);
            case NetworkRecord.DefaultBridge: return new NetworkPlan(NetworkMode.Bridge, [new NetworkEndpoint { Name = network }], null);
        }
        if (network.StartsWith("container:", StringComparison.Ordinal))
        {
            string donor = network["container:".Length..];
            if (donor.Length == 0) throw new InvalidInputException("invalid container format container:<name|id>");
            return new NetworkPlan(NetworkMode.Container, [], resolveContainer(donor));
        }
        var store = new NetworkStore(paths);
        NetworkRecord record;
        try { record = store.Resolve(network); }
        catch (NotFoundException) { throw new NotFoundException($"network {network} not found"); }
        if (ip is not null)
        {
            if (!IPAddress.TryParse(ip, out IPAddress? address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                throw new InvalidInputException($"invalid IPv4 address: {ip}");
            if (record.Subnet is not null && !Ipv4Subnet.Parse(record.Subnet).Contains(Ipv4Subnet.ParseAddress(ip)!.Value))
                throw new MiniRunException($"no configured subnet contains IP address {ip}");
        }
        return new NetworkPlan(NetworkMode.Bridge, [new NetworkEndpoint { Name = record.Name, Aliases = [.. aliases], IPv4Address = ip }], null);
    }
}
