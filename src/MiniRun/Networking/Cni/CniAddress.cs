using System.Text.Json.Nodes;

namespace MiniRun.Networking.Cni;

/// <summary>
/// What a container got on one network, read from the CNI result (SPEC.md "Success": ips[] point at interfaces[]):
/// its IPv4 address and prefix, the gateway, and the MAC address of its interface. Docker's EndpointSettings fields.
/// </summary>
public sealed record CniAddress(string Network, string IfName, string Address, int PrefixLength, string Gateway, string MacAddress)
{
    public static CniAddress From(string network, string ifName, JsonObject result)
    {
        JsonArray interfaces = result["interfaces"] as JsonArray ?? [];
        JsonObject? ip = (result["ips"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(i => i["address"]?.ToString() is { } a && !a.Contains(':'));
        string cidr = ip?["address"]?.ToString() ?? "";
        int slash = cidr.IndexOf('/');
        string mac = "";
        if (ip?["interface"] is JsonValue index && index.TryGetValue(out int i) && i >= 0 && i < interfaces.Count)
            mac = interfaces[i]?["mac"]?.ToString() ?? "";
        else if (interfaces.OfType<JsonObject>().FirstOrDefault(n => n["name"]?.ToString() == ifName) is { } own)
            mac = own["mac"]?.ToString() ?? "";
        return new CniAddress(network, ifName, slash < 0 ? cidr : cidr[..slash],
            slash < 0 ? 0 : int.TryParse(cidr[(slash + 1)..], out int prefix) ? prefix : 0, ip?["gateway"]?.ToString() ?? "", mac);
    }
}
