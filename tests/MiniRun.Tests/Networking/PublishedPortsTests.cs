using MiniRun.Containers;

namespace MiniRun.Tests.Networking;

/// <summary>A container's bindings at start (-p, then -P's), and portmap's portMappings made from them.</summary>
public sealed class PublishedPortsTests
{
    private static string Show(IEnumerable<PortBinding> bindings) => string.Join(" ", bindings.Select(b => $"{b.Key}->{b.HostAddress}"));

    [Fact]
    public void Resolve_FixedPorts_BindingsAsGiven_InOrder()
    {
        int port = HostPortAllocatorTests.FreePair();
        List<PortBinding> bindings = PublishedPorts.Resolve([$"127.0.0.1:{port}-{port + 1}:80-81", $"127.0.0.1:{port}:53/udp"], false, [], null,
            new HostPortAllocator(new PortRange(port, port + 1)));
        Assert.Equal($"80/tcp->127.0.0.1:{port} 81/tcp->127.0.0.1:{port + 1} 53/udp->127.0.0.1:{port}", Show(bindings));
    }

    [Fact]
    public void Resolve_NoHostIp_EveryIpv4Address()
    {
        int port = HostPortAllocatorTests.FreePair();
        PortBinding binding = Assert.Single(PublishedPorts.Resolve(["80"], false, [], null, new HostPortAllocator(new PortRange(port, port + 1))));
        Assert.Equal("0.0.0.0", binding.HostIp);
        Assert.InRange(binding.HostPort, port, port + 1);
    }

    [Fact]
    public void Resolve_PublishAll_EveryExposedPortNotBoundByP_GetsAFreePort()
    {
        int port = HostPortAllocatorTests.FreePair();
        List<PortBinding> bindings = PublishedPorts.Resolve([$"127.0.0.1:{port}:80"], true, ["53/udp"], ["80/tcp", "53/udp"],
            new HostPortAllocator(new PortRange(port, port + 1)));
        Assert.Equal(["80/tcp->127.0.0.1:" + port, "53/udp->0.0.0.0"], [Show(bindings.Take(1)), $"{bindings[1].Key}->{bindings[1].HostIp}"]);
        Assert.InRange(bindings[1].HostPort, port, port + 1);
    }

    [Fact]
    public void Resolve_PublishAll_PortsByNumberThenProtocol_NoneTwice()
    {
        int port = HostPortAllocatorTests.FreePair();
        var allocator = new HostPortAllocator(new PortRange(port, port + 1));
        List<PortBinding> bindings = PublishedPorts.Resolve([], true, ["90/udp"], ["90/tcp", "80"], allocator);
        Assert.Equal(["80/tcp", "90/tcp", "90/udp"], bindings.Select(b => b.Key));
        Assert.Equal(2, bindings.Where(b => b.Protocol == "tcp").Select(b => b.HostPort).Distinct().Count()); // one range, two tcp ports
    }

    [Fact]
    public void Resolve_WithoutPublishAll_ExposedPortsStayUnpublished()
    {
        Assert.Empty(PublishedPorts.Resolve([], false, ["80"], ["8080/tcp"], HostPortAllocator.FromKernel()));
    }

    [Fact]
    public void Resolve_SameFixedBindingTwice_OneBinding_TwoContainerPortsOnIt_AlreadyAllocated()
    {
        int port = HostPortAllocatorTests.FreePair();
        string fixedPort = $"127.0.0.1:{port}:80";
        Assert.Single(PublishedPorts.Resolve([fixedPort, fixedPort], false, [], null, HostPortAllocator.FromKernel()));
        var e = Assert.Throws<MiniRunException>(() => PublishedPorts.Resolve([fixedPort, $"127.0.0.1:{port}:81"], false, [], null, HostPortAllocator.FromKernel()));
        Assert.Equal($"Bind for 127.0.0.1:{port} failed: port is already allocated", e.Message);
    }

    [Fact]
    public void Resolve_ContainerPortZero_Refused()
    {
        var e = Assert.Throws<MiniRunException>(() => PublishedPorts.Resolve(["127.0.0.1::0"], false, [], null, HostPortAllocator.FromKernel()));
        Assert.StartsWith("cannot publish container port 0/tcp", e.Message);
    }

    [Fact]
    public void Resolve_ImageExposesNonsense_OnlyWithPublishAll_SaysTheImage()
    {
        Assert.Empty(PublishedPorts.Resolve([], false, [], ["http"], HostPortAllocator.FromKernel()));
        var e = Assert.Throws<InvalidInputException>(() => PublishedPorts.Resolve([], true, [], ["http"], HostPortAllocator.FromKernel()));
        Assert.StartsWith("the image exposes \"http\"", e.Message);
    }

    [Fact]
    public void CniPortMappings_Bindings_PortmapsJson_HostIpOnlyWhenNotEveryAddress()
    {
        PortBinding[] bindings =
        [
            new() { Port = 80, Protocol = "tcp", HostIp = "0.0.0.0", HostPort = 8080 },
            new() { Port = 53, Protocol = "udp", HostIp = "127.0.0.1", HostPort = 5353 },
            new() { Port = 443, Protocol = "tcp", HostIp = "::1", HostPort = 8443 },
        ];
        Assert.Equal("""[{"hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostPort":5353,"containerPort":53,"protocol":"udp","hostIP":"127.0.0.1"},"""
                     + """{"hostPort":8443,"containerPort":443,"protocol":"tcp","hostIP":"::1"}]""",
            PublishedPorts.CniPortMappings(bindings).ToJsonString());
        Assert.Equal("[]", PublishedPorts.CniPortMappings([]).ToJsonString());
    }
}
