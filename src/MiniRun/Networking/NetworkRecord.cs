using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MiniRun.Networking.Cni;

namespace MiniRun.Networking;

/// <summary>A network as `network ls` and `inspect` show it: Docker's fields, read from its conflist (or built in).</summary>
public sealed record NetworkRecord(string Name, string Id, string Driver, DateTimeOffset Created, string? Subnet, string? Gateway, NetworkConfigList? Config)
{
    /// <summary>Conflist fields of MiniRun's own (as nerdctl keeps "nerdctlID"): plugins never see them.</summary>
    public const string IdField = "minirunID", CreatedField = "minirunCreated";

    /// <summary>Docker's predefined networks: always listed, never created or removed.</summary>
    public static readonly IReadOnlyList<string> BuiltInNames = ["bridge", "host", "none"];

    public bool IsBuiltIn => BuiltInNames.Contains(Name);

    /// <summary>The default bridge's name and its Linux bridge's (Docker's docker0).</summary>
    public const string DefaultBridge = "bridge", DefaultBridgeDevice = "minirun0";

    /// <summary>bridge, host or none, with a stable ID of its own (Docker draws its own at the daemon's first start).</summary>
    public static NetworkRecord BuiltIn(string name) => new(name, BuiltInId(name),
        name switch { "none" => "null", _ => name }, DateTimeOffset.UnixEpoch,
        name == "bridge" ? "172.17.0.0/16" : null, name == "bridge" ? "172.17.0.1" : null, null);

    public static string BuiltInId(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("minirun network " + name)));

    /// <summary>The record a conflist is: its ID and time from MiniRun's fields, the subnet from a host-local ipam.</summary>
    public static NetworkRecord FromConfig(NetworkConfigList config)
    {
        string id = config.Document[IdField]?.ToString() ?? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(config.Name)));
        DateTimeOffset created = DateTimeOffset.TryParse(config.Document[CreatedField]?.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTimeOffset t)
            ? t : DateTimeOffset.UnixEpoch;
        JsonObject? range = config.Plugins.Select(FirstRange).FirstOrDefault(r => r is not null);
        string driver = config.Plugins[0]["type"]?.ToString() ?? "";
        return new NetworkRecord(config.Name, id, driver, created, range?["subnet"]?.ToString(), range?["gateway"]?.ToString(), config);
    }

    /// <summary>ipam.ranges[0][0] of a plugin, when it has one (host-local's range set format).</summary>
    private static JsonObject? FirstRange(JsonObject plugin) =>
        plugin["ipam"] is JsonObject ipam && ipam["ranges"] is JsonArray { Count: > 0 } sets && sets[0] is JsonArray { Count: > 0 } set ? set[0] as JsonObject : null;
}
