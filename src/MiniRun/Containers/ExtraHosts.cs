using System.Net;

namespace MiniRun.Containers;

/// <summary>docker run --add-host NAME:IP: checked as Docker checks it, written into /etc/hosts as "IP\tNAME".</summary>
public static class ExtraHosts
{
    /// <summary>The flag's value when it is NAME:IP (an IPv6 address may hold colons: the name ends at the first).</summary>
    public static string Check(string flag)
    {
        int colon = flag.IndexOf(':');
        string name = colon < 0 ? "" : flag[..colon], address = colon < 0 ? "" : flag[(colon + 1)..].Trim('[', ']');
        if (address == "host-gateway")
            throw new MiniRunException($"invalid argument \"{flag}\" for \"--add-host\" flag: host-gateway needs a bridge network, which minirun does not have yet");
        if (name.Length == 0 || name.Any(c => char.IsWhiteSpace(c)) || !IPAddress.TryParse(address, out _))
            throw new MiniRunException($"invalid argument \"{flag}\" for \"--add-host\" flag: expected NAME:IP (IP an IPv4 or IPv6 address)");
        return $"{name}:{address}";
    }

    public static string Line(string checkedFlag)
    {
        int colon = checkedFlag.IndexOf(':');
        return $"{checkedFlag[(colon + 1)..]}\t{checkedFlag[..colon]}\n";
    }
}
