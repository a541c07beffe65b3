using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MiniRun.Containers;

/// <summary>
/// docker run --dns and --dns-search, checked as Docker's CLI checks them (opts.ValidateIPAddress,
/// opts.ValidateDNSSearch) and with its messages; --dns-option is taken as given, as Docker takes it.
/// </summary>
public static partial class DnsFlags
{
    /// <summary>--dns IP: an IPv4 or IPv6 address (no zone), spaces around it dropped, written back in Go's canonical form.</summary>
    public static string CheckNameserver(string flag) =>
        ParseIp(flag.Trim()) ?? throw new InvalidInputException($"invalid argument \"{flag}\" for \"--dns\" flag: IP address is not correctly formatted: {flag}");

    /// <summary>--dns-search DOMAIN: "." (no search list) or a domain holding a letter; a trailing dot is dropped.</summary>
    public static string CheckSearchDomain(string flag)
    {
        string domain = flag.Trim(' ');
        if (domain == ".") return domain;
        Match match = Domain().Match(domain);
        if (!domain.Any(char.IsAsciiLetter) || !match.Success || match.Groups[1].Length >= 255)
            throw new InvalidInputException($"invalid argument \"{flag}\" for \"--dns-search\" flag: {domain} is not a valid domain");
        return match.Groups[1].Value;
    }

    /// <summary>As Go's net.ParseIP then IP.String(): four decimal parts without leading zeros, or IPv6 without a zone.</summary>
    private static string? ParseIp(string text)
    {
        if (text.Contains(':'))
        {
            if (text.Any(c => !char.IsAsciiHexDigit(c) && c is not ':' and not '.') ||
                !IPAddress.TryParse(text, out IPAddress? v6) || v6.AddressFamily != AddressFamily.InterNetworkV6) return null;
            return v6.IsIPv4MappedToIPv6 ? v6.MapToIPv4().ToString() : FormatIpv6(v6.GetAddressBytes());
        }
        string[] parts = text.Split('.');
        if (parts.Length != 4) return null;
        foreach (string part in parts)
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0') ||
                int.Parse(part, CultureInfo.InvariantCulture) > 255) return null;
        return text;
    }

    /// <summary>RFC 5952, as Go writes it: lowercase, no leading zeros, the longest run of two or more zero groups as "::".</summary>
    private static string FormatIpv6(byte[] bytes)
    {
        int[] groups = Enumerable.Range(0, 8).Select(i => (bytes[2 * i] << 8) | bytes[2 * i + 1]).ToArray();
        int bestStart = -1, bestLength = 1;
        for (int i = 0; i < 8; i++)
        {
            int length = 0;
            while (i + length < 8 && groups[i + length] == 0) length++;
            if (length > bestLength) (bestStart, bestLength) = (i, length);
        }
        string Hex(IEnumerable<int> g) => string.Join(':', g.Select(x => x.ToString("x", CultureInfo.InvariantCulture)));
        return bestStart < 0 ? Hex(groups) : Hex(groups[..bestStart]) + "::" + Hex(groups[(bestStart + bestLength)..]);
    }

    // Docker's opts.domainRegexp: labels of letters, digits and inner hyphens, dot-separated, an optional final dot.
    [GeneratedRegex(@"^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]))*)\.?[ \t\r\n\f]*$")]
    private static partial Regex Domain();
}
