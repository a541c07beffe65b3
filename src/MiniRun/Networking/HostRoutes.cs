using System.Globalization;
using MiniRun.Native;

namespace MiniRun.Networking;

/// <summary>The IPv4 routes of the calling process's network namespace (/proc/net/route, proc(5)), as subnets.</summary>
public static class HostRoutes
{
    /// <summary>Every route but the default one (0.0.0.0/0 overlaps all, and Docker skips it too).</summary>
    public static IReadOnlyList<Ipv4Subnet> Subnets() => Parse(KernelFiles.TryReadAll("/proc/net/route") ?? "");

    /// <summary>The table's Destination and Mask columns are hex in the kernel's (little-endian) byte order.</summary>
    public static IReadOnlyList<Ipv4Subnet> Parse(string table)
    {
        List<Ipv4Subnet> subnets = [];
        foreach (string line in table.Split('\n').Skip(1))
        {
            string[] fields = line.Split('\t', StringSplitOptions.TrimEntries);
            if (fields.Length < 8 || !uint.TryParse(fields[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint destination)
                || !uint.TryParse(fields[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint mask)) continue;
            mask = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(mask);
            destination = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(destination);
            int prefix = System.Numerics.BitOperations.PopCount(mask);
            if (prefix == 0) continue;
            subnets.Add(new Ipv4Subnet(destination & mask, prefix));
        }
        return subnets;
    }
}
