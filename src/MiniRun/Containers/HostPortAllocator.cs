using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>
/// Chooses the host ports of one container's -p and -P at its start, as Docker's port allocator does: a given port is
/// checked, a host range (-p 8000-8010:80) gives its first free port, and no port (-p 80, -p 0:80, -P) a free one of the
/// kernel's ephemeral range (ip_local_port_range). Free means: no other container publishes it (portmap's DNAT rules
/// hold no socket, so only their records tell) and a socket of the protocol can bind it on the host IP now.
/// The probe socket is closed before the port is used: something may bind it between the probe and the DNAT rule,
/// the same small race as Docker's allocation without its userland proxy.
/// </summary>
public sealed class HostPortAllocator
{
    public const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    /// <summary>Docker's portallocator's range when the kernel's cannot be read.</summary>
    public static readonly PortRange DockerDefaultRange = new(49153, 65535);

    private const ProtocolType Sctp = (ProtocolType)132; // IPPROTO_SCTP, which .NET does not name

    private readonly List<PortBinding> _taken;

    /// <param name="ephemeral">where free ports are chosen from.</param>
    /// <param name="publishedElsewhere">the ports other containers publish now: never chosen, and a clash when asked for.</param>
    public HostPortAllocator(PortRange ephemeral, IEnumerable<PortBinding>? publishedElsewhere = null)
    {
        if (ephemeral.First < 1) throw new ArgumentOutOfRangeException(nameof(ephemeral), "port 0 is no port");
        Ephemeral = ephemeral;
        _taken = publishedElsewhere?.ToList() ?? [];
    }

    /// <summary>An allocator over the kernel's ephemeral range (Docker's default range when it cannot be read).</summary>
    public static HostPortAllocator FromKernel(IEnumerable<PortBinding>? publishedElsewhere = null) =>
        new(ParseEphemeralRange(KernelFiles.TryReadFirstLine(EphemeralRangeFile)), publishedElsewhere);

    public PortRange Ephemeral { get; }

    /// <summary>ip_local_port_range's "FIRST\tLAST"; <see cref="DockerDefaultRange"/> when it is missing or not that.</summary>
    public static PortRange ParseEphemeralRange(string? text)
    {
        string[] parts = (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
            && first is > 0 and <= ushort.MaxValue && last >= first && last <= ushort.MaxValue
            ? new PortRange(first, last) : DockerDefaultRange;
    }

    /// <summary>
    /// A host port for <paramref name="hostIp"/>/<paramref name="protocol"/>, kept so this allocator never gives it again:
    /// the one asked for, the first free one of a range, or (<paramref name="ports"/> null) a free ephemeral one.
    /// </summary>
    public int Take(string hostIp, string protocol, PortRange? ports)
    {
        IPAddress ip = IPAddress.Parse(hostIp);
        int port = ports switch
        {
            { First: var only, Last: var last } when only == last && only > 0 => Check(ip, hostIp, protocol, only),
            { } range => FirstFree(ip, hostIp, protocol, Enumerable.Range(Math.Max(range.First, 1), range.Last - Math.Max(range.First, 1) + 1))
                ?? throw new MiniRunException($"Bind for {Address(hostIp, range.ToString())} failed: every port of the range is already allocated"),
            null => FirstFree(ip, hostIp, protocol, EphemeralFromRandomStart())
                ?? throw new MiniRunException($"no free host port for {hostIp}/{protocol} in {Ephemeral} ({EphemeralRangeFile}): all ports are allocated"),
        };
        _taken.Add(new PortBinding { Port = 0, Protocol = protocol, HostIp = hostIp, HostPort = port });
        return port;
    }

    private int Check(IPAddress ip, string hostIp, string protocol, int port)
    {
        if (IsTaken(ip, protocol, port)) throw new MiniRunException($"Bind for {Address(hostIp, port.ToString(CultureInfo.InvariantCulture))} failed: port is already allocated");
        SocketError error = Probe(ip, protocol, port);
        return error == SocketError.Success ? port : throw BindFailed(hostIp, protocol, port, error);
    }

    /// <summary>The first port that is neither taken nor bound; a failure other than "in use" (an IP not on this host) ends the search.</summary>
    private int? FirstFree(IPAddress ip, string hostIp, string protocol, IEnumerable<int> candidates)
    {
        foreach (int port in candidates)
        {
            if (IsTaken(ip, protocol, port)) continue;
            SocketError error = Probe(ip, protocol, port);
            if (error == SocketError.Success) return port;
            if (error is not (SocketError.AddressAlreadyInUse or SocketError.AccessDenied)) throw BindFailed(hostIp, protocol, port, error);
        }
        return null;
    }

    /// <summary>Every ephemeral port once, from a random one on: containers started together seldom race for the same.</summary>
    private IEnumerable<int> EphemeralFromRandomStart()
    {
        int count = Ephemeral.Count, start = Random.Shared.Next(count);
        for (int i = 0; i < count; i++) yield return Ephemeral.First + (start + i) % count;
    }

    /// <summary>The same port and protocol on the same address, or where either is its family's every address (0.0.0.0, ::).</summary>
    private bool IsTaken(IPAddress ip, string protocol, int port) =>
        _taken.Any(t => t.HostPort == port && t.Protocol == protocol && IPAddress.TryParse(t.HostIp, out IPAddress? other)
            && other.AddressFamily == ip.AddressFamily && (other.Equals(ip) || IsAny(other) || IsAny(ip)));

    private static bool IsAny(IPAddress ip) => ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any);

    /// <summary>Binds a socket of the protocol to the port and closes it: Success, or why the port cannot be had.</summary>
    private static SocketError Probe(IPAddress ip, string protocol, int port)
    {
        (SocketType type, ProtocolType kind) = protocol switch
        {
            "udp" => (SocketType.Dgram, ProtocolType.Udp),
            "sctp" => (SocketType.Stream, Sctp),
            _ => (SocketType.Stream, ProtocolType.Tcp),
        };
        try
        {
            using var socket = new Socket(ip.AddressFamily, type, kind);
            if (ip.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = false; // [::] is IPv6's own, as portmap's rule for it
            socket.Bind(new IPEndPoint(ip, port));
            return SocketError.Success;
        }
        catch (SocketException e) when (kind == Sctp && e.SocketErrorCode is SocketError.ProtocolNotSupported or SocketError.SocketNotSupported)
        {
            return SocketError.Success; // no sctp module loaded: nothing on the host can hold the port either
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
    }

    private static MiniRunException BindFailed(string hostIp, string protocol, int port, SocketError error)
    {
        string why = error switch
        {
            SocketError.AddressAlreadyInUse => "address already in use: a host process holds it; choose another host port, or leave it out for a free one",
            SocketError.AddressNotAvailable => "cannot assign requested address: the host has no such IP",
            SocketError.AccessDenied => "permission denied",
            SocketError.AddressFamilyNotSupported => "address family not supported: the host has no IPv6",
            _ => error.ToString(),
        };
        return new MiniRunException($"failed to bind host port {Address(hostIp, port.ToString(CultureInfo.InvariantCulture))}/{protocol}: {why}");
    }

    private static string Address(string hostIp, string port) => (hostIp.Contains(':') ? $"[{hostIp}]" : hostIp) + ":" + port;
}
