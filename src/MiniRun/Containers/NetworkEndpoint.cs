namespace MiniRun.Containers;

/// <summary>A container's place on one CNI network, as asked (Docker's EndpointSettings): --network NAME with --network-alias and --ip, or `network connect`.</summary>
public sealed record NetworkEndpoint
{
    public required string Name { get; init; }
    /// <summary>Names it also answers to on the network (user-defined networks only, as Docker).</summary>
    public List<string> Aliases { get; init; } = [];
    /// <summary>The address asked for; null: host-local gives the next free one.</summary>
    public string? IPv4Address { get; init; }
}
