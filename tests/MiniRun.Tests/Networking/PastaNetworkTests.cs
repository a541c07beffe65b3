using MiniRun.Containers;
using MiniRun.Native;
using MiniRun.Store;

namespace MiniRun.Tests.Networking;

/// <summary>pasta's command line, the tun device's check and the route table's reading (no root, nothing run).</summary>
public class PastaNetworkTests
{
    private static PortBinding Binding(int port, string protocol, string hostIp, int hostPort) =>
        new() { Port = port, Protocol = protocol, HostIp = hostIp, HostPort = hostPort };

    [Fact]
    public void Arguments_NoPorts_ForwardNothingEitherWay()
    {
        Assert.Equal(["pasta", "--config-net", "--quiet", "--ipv4-only", "--netns", "/c/netns", "--pid", "/c/pasta.pid", "--dns-forward", "169.254.1.1",
            "-t", "none", "-u", "none", "-T", "none", "-U", "none"], PastaNetwork.Arguments("/c/netns", "/c/pasta.pid", []));
    }

    [Fact]
    public void Arguments_Ports_OnePerBindingWithTheHostAddressWhenGiven()
    {
        List<string> argv = PastaNetwork.Arguments("/c/netns", "/c/pasta.pid",
            [Binding(80, "tcp", "127.0.0.1", 8080), Binding(53, "udp", PublishedPorts.AnyAddress, 5353), Binding(443, "tcp", PublishedPorts.AnyAddress, 8443)]);

        Assert.Equal(["-t", "127.0.0.1/8080:80", "-t", "8443:443", "-u", "5353:53", "-T", "none", "-U", "none"], argv[10..]);
    }

    [Fact]
    public void Arguments_SctpPort_IsRefused()
    {
        var e = Assert.Throws<MiniRunException>(() => PastaNetwork.Arguments("/c/netns", "/c/pasta.pid", [Binding(9, "sctp", "0.0.0.0", 9)]));
        Assert.Equal("cannot publish 9/sctp with --network pasta: pasta forwards tcp and udp ports only", e.Message);
    }

    [Theory]
    [InlineData(0x1b6u, true)]  // 0666, Debian's
    [InlineData(0x180u, false)] // 0600
    [InlineData(0x1b4u, false)] // 0664: others may not write
    public void TunUsable_OthersMustReadAndWrite(uint permissions, bool usable)
    {
        var status = new FileStatus(0x2000 | permissions, 0, 0, 1, 0, 0, 0, 10, 200, DateTimeOffset.UnixEpoch);
        Assert.Equal(usable, PastaNetwork.TunUsable(status));
        Assert.False(PastaNetwork.TunUsable(null));
    }

    [Fact]
    public void DefaultRouteInterface_FirstRouteWithNoDestinationNorMask()
    {
        const string table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
            "eth1\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n" +
            "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";

        Assert.Equal("eth0", PastaNetwork.DefaultRouteInterface(table));
        Assert.Null(PastaNetwork.DefaultRouteInterface(table.Split('\n')[0]));
    }

    [Fact]
    public void Resolve_PastaAsRoot_IsRefused()
    {
        var paths = StorePaths.Resolve(Path.Combine(Path.GetTempPath(), "minirun-pasta-choice-unused"));

        var e = Assert.Throws<MiniRunException>(() => NetworkChoice.Resolve("pasta", null, [], paths, id => id));

        Assert.Equal("--network pasta is rootless containers' network (pasta runs as the user); root's have bridge networks", e.Message);
    }
}
