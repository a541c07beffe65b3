using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MiniRun.Networking;

/// <summary>An IPv4 network in CIDR form (172.18.0.0/16): its base address and prefix length.</summary>
public readonly record struct Ipv4Subnet(uint Network, int PrefixLength)
{
    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    /// <summary>"A.B.C.D/N"; the host bits must be zero, as Docker's --subnet insists.</summary>
    public static Ipv4Subnet Parse(string cidr)
    {
        string[] parts = cidr.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix > 32
            || ParseAddress(parts[0]) is not { } address)
            throw new InvalidInputException($"invalid CIDR address: {cidr}");
        var subnet = new Ipv4Subnet(address, prefix);
        if ((address & ~subnet.Mask) != 0) throw new InvalidInputException($"invalid subnet {cidr}: it should be {new Ipv4Subnet(address & subnet.Mask, prefix)}");
        return subnet;
    }

    /// <summary>A dotted-quad IPv4 address as a number, or null.</summary>
    public static uint? ParseAddress(string text)
    {
        if (text.Count(c => c == '.') != 3 || !IPAddress.TryParse(text, out IPAddress? ip) || ip.AddressFamily != AddressFamily.InterNetwork) return null;
        return BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());
    }

    public static string FormatAddress(uint address) =>
        $"{address >> 24}.{(address >> 16) & 0xff}.{(address >> 8) & 0xff}.{address & 0xff}";

    public bool Contains(uint address) => (address & Mask) == Network;

    public bool Overlaps(Ipv4Subnet other)
    {
        uint mask = PrefixLength < other.PrefixLength ? Mask : other.Mask;
        return (Network & mask) == (other.Network & mask);
    }

    /// <summary>The first host address (.1 of a /16): Docker's default gateway.</summary>
    public uint FirstHost => Network + 1;

    public override string ToString() => $"{FormatAddress(Network)}/{PrefixLength}";
}
