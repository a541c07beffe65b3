using MiniRun.Containers;

namespace MiniRun.Tests.Containers;

/// <summary>/etc/hosts as Docker's libnetwork writes it, with peers on user-defined networks nerdctl-style.</summary>
public class ContainerHostsFileTests
{
    // What `docker run --network none` shows in /etc/hosts (Docker 20.10).
    private const string Docker = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n" +
        "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

    [Fact]
    public void Build_NoAddress_IsDockersFile_WithNoHostnameLine()
    {
        Assert.Equal(Docker, ContainerHostsFile.Build("0123456789ab", [], [], []));
    }

    [Fact]
    public void Build_BridgeAddress_HostnameLineComesLast_AfterAddHosts()
    {
        string hosts = ContainerHostsFile.Build("web", ["10.88.0.5"], [], [ExtraHosts.Check("db:10.1.2.3"), ExtraHosts.Check("v6:fd00::1")]);

        Assert.Equal(Docker + "10.1.2.3\tdb\nfd00::1\tv6\n10.88.0.5\tweb\n", hosts);
    }

    [Fact]
    public void Build_TwoNetworks_OneHostnameLinePerAddress_InJoinOrder()
    {
        Assert.EndsWith("\n10.89.0.7\tweb\n10.88.0.5\tweb\n", ContainerHostsFile.Build("web", ["10.89.0.7", "10.88.0.5"], [], []));
    }

    [Fact]
    public void Build_HostnameWithDots_AlsoGetsItsFirstLabel()
    {
        Assert.EndsWith("\n10.88.0.5\tweb.example.com web\n", ContainerHostsFile.Build("web.example.com", ["10.88.0.5"], [], []));
    }

    [Fact]
    public void Build_Peers_OneLineEach_SortedByAddressThenName_WhateverTheOrderGiven()
    {
        HostsPeer[] peers =
        [
            new("10.88.0.10", "cache", ["c1", "cache"]),
            new("10.88.0.9", "db", ["0123456789ab", "database"]),
            new("10.88.0.9", "arbiter", []),
        ];

        string hosts = ContainerHostsFile.Build("web", ["10.88.0.5"], peers, [ExtraHosts.Check("gw:10.1.2.3")]);

        Assert.Equal(Docker + "10.1.2.3\tgw\n10.88.0.9\tarbiter\n10.88.0.9\tdb 0123456789ab database\n10.88.0.10\tcache c1\n10.88.0.5\tweb\n", hosts);
        Assert.Equal(hosts, ContainerHostsFile.Build("web", ["10.88.0.5"], [.. peers.Reverse()], [ExtraHosts.Check("gw:10.1.2.3")]));
    }

    [Fact]
    public void ForHostNetwork_NoAddHost_IsTheHostsFileAsItIs()
    {
        const string host = "127.0.0.1 localhost\n# a comment\n10.0.0.1 nas\n";

        Assert.Equal(host, ContainerHostsFile.ForHostNetwork(host, []));
    }

    [Fact]
    public void ForHostNetwork_AddHost_IsDockersOwnFile_NotTheHosts()
    {
        Assert.Equal(Docker + "1.2.3.4\ta\n", ContainerHostsFile.ForHostNetwork("10.0.0.1 nas\n", [ExtraHosts.Check("a:1.2.3.4")]));
    }

    [Fact]
    public void ReadHostFile_NoFile_IsEmpty()
    {
        using var root = new TempDirectory("minirun-hosts-root");

        Assert.Equal("", ContainerHostsFile.ReadHostFile(root.Path));
        Directory.CreateDirectory(root.Combine("etc"));
        File.WriteAllText(root.Combine("etc", "hosts"), "127.0.0.1 localhost\n");
        Assert.Equal("127.0.0.1 localhost\n", ContainerHostsFile.ReadHostFile(root.Path));
    }

    [Fact]
    public void InitLayerFiles_NetworkNone_HostsIsDockers_Ipv6GroupsFf02()
    {
        string hosts = InitLayer.Files("box", NetworkMode.None, [ExtraHosts.Check("db:10.1.2.3")]).Single(f => f.Path == "etc/hosts").Content;

        Assert.Equal(Docker + "10.1.2.3\tdb\n", hosts);
        Assert.DoesNotContain("ff00::1", hosts);
    }
}
