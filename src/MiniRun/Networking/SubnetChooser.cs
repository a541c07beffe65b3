namespace MiniRun.Networking;

/// <summary>
/// Picks a subnet for a network created without --subnet, as Docker's default address pools do
/// (libnetwork ipamutils: 172.17.0.0/16 to 172.31.0.0/16, then 192.168.0.0/16 cut into /20s). 172.17 is Docker's
/// default bridge, so user networks start at 172.18, as `docker network create` numbers them.
/// </summary>
public static class SubnetChooser
{
    public static IEnumerable<Ipv4Subnet> Candidates()
    {
        for (uint second = 18; second <= 31; second++) yield return new Ipv4Subnet((172u << 24) | (second << 16), 16);
        for (uint third = 0; third < 256; third += 16) yield return new Ipv4Subnet((192u << 24) | (168u << 16) | (third << 8), 20);
    }

    /// <summary>The first candidate that overlaps none of <paramref name="inUse"/> (other networks' subnets, routes of this namespace).</summary>
    public static Ipv4Subnet Choose(IReadOnlyCollection<Ipv4Subnet> inUse) =>
        Candidates().FirstOrDefault(c => !inUse.Any(c.Overlaps), default) is { PrefixLength: > 0 } chosen ? chosen
            : throw new MiniRunException("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network (give one with --subnet)");
}
