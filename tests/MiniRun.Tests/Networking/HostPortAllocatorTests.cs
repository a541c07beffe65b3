using System.Net;
using System.Net.Sockets;
using MiniRun.Containers;

namespace MiniRun.Tests.Networking;

/// <summary>Host ports chosen against real sockets on loopback: ports held by host processes and by other containers are skipped or refused.</summary>
public sealed class HostPortAllocatorTests
{
    private const string Loopback = "127.0.0.1";

    /// <summary>Two neighbouring ports that are free on loopback for TCP and UDP now (the kernel's pick, and the next).</summary>
    internal static int FreePair()
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            int port;
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                port = ((IPEndPoint)probe.LocalEndPoint!).Port;
            }
            if (port < ushort.MaxValue && new[] { port, port + 1 }.All(p => CanBind(p, SocketType.Stream) && CanBind(p, SocketType.Dgram))) return port;
        }
        throw new InvalidOperationException("no two neighbouring free ports on loopback");
    }

    private static bool CanBind(int port, SocketType type)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, type, type == SocketType.Stream ? ProtocolType.Tcp : ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException) { return false; }
    }

    private static PortBinding Published(string ip, int port, string protocol = "tcp") =>
        new() { Port = 80, Protocol = protocol, HostIp = ip, HostPort = port };

    [Fact]
    public void Take_GivenPortFree_ThatPort()
    {
        int port = FreePair();
        Assert.Equal(port, new HostPortAllocator(new PortRange(port, port + 1)).Take(Loopback, "tcp", new PortRange(port, port)));
    }

    [Fact]
    public void Take_GivenPortHeldByHostListener_AddressInUse()
    {
        int port = FreePair();
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        var e = Assert.Throws<MiniRunException>(() => HostPortAllocator.FromKernel().Take(Loopback, "tcp", new PortRange(port, port)));
        Assert.StartsWith($"failed to bind host port 127.0.0.1:{port}/tcp: address already in use", e.Message);
    }

    [Fact]
    public void Take_GivenUdpPortHeldByHostSocket_AddressInUse_AndTcpStillFree()
    {
        int port = FreePair();
        using var held = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        var allocator = HostPortAllocator.FromKernel();
        var e = Assert.Throws<MiniRunException>(() => allocator.Take(Loopback, "udp", new PortRange(port, port)));
        Assert.Contains("address already in use", e.Message);
        Assert.Equal(port, allocator.Take(Loopback, "tcp", new PortRange(port, port)));
    }

    [Theory]
    [InlineData("0.0.0.0", "127.0.0.1")]
    [InlineData("127.0.0.1", "0.0.0.0")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    public void Take_GivenPortAnotherContainerPublishes_AlreadyAllocated(string theirs, string mine)
    {
        int port = FreePair();
        var allocator = HostPortAllocator.FromKernel([Published(theirs, port)]);
        var e = Assert.Throws<MiniRunException>(() => allocator.Take(mine, "tcp", new PortRange(port, port)));
        Assert.Equal($"Bind for {mine}:{port} failed: port is already allocated", e.Message);
    }

    [Fact]
    public void Take_AnotherContainerOnOtherProtocolOrAddress_Free()
    {
        int port = FreePair();
        var allocator = HostPortAllocator.FromKernel([Published(Loopback, port, "udp"), Published("127.0.0.2", port)]);
        Assert.Equal(port, allocator.Take(Loopback, "tcp", new PortRange(port, port)));
    }

    [Fact]
    public void Take_NoPort_EachFreePortOnce_ThenAllAllocated()
    {
        int port = FreePair();
        var allocator = new HostPortAllocator(new PortRange(port, port + 1));
        int first = allocator.Take(Loopback, "tcp", null), second = allocator.Take(Loopback, "tcp", null);
        Assert.Equal([port, port + 1], new[] { first, second }.Order());
        var e = Assert.Throws<MiniRunException>(() => allocator.Take(Loopback, "tcp", null));
        Assert.EndsWith("all ports are allocated", e.Message);
        Assert.Equal(first, allocator.Take(Loopback, "udp", new PortRange(first, first))); // another protocol's port is its own
    }

    [Fact]
    public void Take_NoPort_SkipsHeldAndPublishedPorts()
    {
        int port = FreePair();
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Assert.Equal(port + 1, new HostPortAllocator(new PortRange(port, port + 1)).Take(Loopback, "tcp", null));
        listener.Stop();
        Assert.Equal(port, new HostPortAllocator(new PortRange(port, port + 1), [Published("0.0.0.0", port + 1)]).Take(Loopback, "tcp", null));
    }

    [Fact]
    public void Take_HostRange_FirstFreeOfTheRange()
    {
        int port = FreePair();
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        var allocator = HostPortAllocator.FromKernel();
        Assert.Equal(port + 1, allocator.Take(Loopback, "tcp", new PortRange(port, port + 1)));
        var e = Assert.Throws<MiniRunException>(() => allocator.Take(Loopback, "tcp", new PortRange(port, port + 1)));
        Assert.Equal($"Bind for 127.0.0.1:{port}-{port + 1} failed: every port of the range is already allocated", e.Message);
    }

    [Fact]
    public void Take_IpNotOnThisHost_CannotAssign_WithoutTryingEveryPort()
    {
        var e = Assert.Throws<MiniRunException>(() => HostPortAllocator.FromKernel().Take("192.0.2.1", "tcp", null)); // TEST-NET-1: no host has it
        Assert.Contains("cannot assign requested address", e.Message);
    }

    [Theory]
    [InlineData("32768\t60999", 32768, 60999)]
    [InlineData("1024 65535\n", 1024, 65535)]
    [InlineData(null, 49153, 65535)]
    [InlineData("garbage", 49153, 65535)]
    [InlineData("0 100", 49153, 65535)]
    [InlineData("60999 32768", 49153, 65535)]
    public void ParseEphemeralRange_KernelText_RangeOrDockersDefault(string? text, int first, int last)
    {
        Assert.Equal(new PortRange(first, last), HostPortAllocator.ParseEphemeralRange(text));
    }

    [Fact]
    public void FromKernel_ReadsIpLocalPortRange()
    {
        Assert.Equal(HostPortAllocator.ParseEphemeralRange(File.ReadAllText(HostPortAllocator.EphemeralRangeFile)), HostPortAllocator.FromKernel().Ephemeral);
    }
}
