namespace MiniRun.Cli.Output;

/// <summary>One element of `network inspect`'s array, in Docker's field order (api/types/network.Inspect).</summary>
public sealed class NetworkInspect
{
    public required string Name { get; init; }
    public required string Id { get; init; }
    public required DateTime Created { get; init; }
    public string Scope { get; init; } = "local";
    public required string Driver { get; init; }
    public bool EnableIPv4 { get; init; } = true;
    public bool EnableIPv6 { get; init; }
    public required NetworkIpam IPAM { get; init; }
    public bool Internal { get; init; }
    public bool Attachable { get; init; }
    public bool Ingress { get; init; }
    public NetworkConfigFrom ConfigFrom { get; init; } = new();
    public bool ConfigOnly { get; init; }
    public required Dictionary<string, NetworkContainerInspect> Containers { get; init; }
    public Dictionary<string, string> Options { get; init; } = [];
    public Dictionary<string, string> Labels { get; init; } = [];
}

public sealed class NetworkIpam
{
    public string Driver { get; init; } = "default";
    public Dictionary<string, string>? Options { get; init; }
    public required List<NetworkIpamConfig> Config { get; init; }
}

public sealed class NetworkIpamConfig
{
    public required string Subnet { get; init; }
    public string? Gateway { get; init; }
}

public sealed class NetworkConfigFrom
{
    public string Network { get; init; } = "";
}

/// <summary>A container attached to the network: its interface's addresses from the kept CNI result.</summary>
public sealed class NetworkContainerInspect
{
    public required string Name { get; init; }
    public string EndpointID { get; init; } = "";
    public string MacAddress { get; init; } = "";
    public string IPv4Address { get; init; } = "";
    public string IPv6Address { get; init; } = "";
}
