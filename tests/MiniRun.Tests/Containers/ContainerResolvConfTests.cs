using MiniRun.Containers;

namespace MiniRun.Tests.Containers;

/// <summary>/etc/resolv.conf as Docker's libnetwork writes it: filtered from the host's, or built from --dns flags.</summary>
public class ContainerResolvConfTests
{
    // systemd-resolved's stub file, as Ubuntu has it.
    private const string Stub = "# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).\n\n" +
        "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n";

    private static string Build(string host, bool hostNetwork = false, string[]? dns = null, string[]? search = null, string[]? options = null) =>
        ContainerResolvConf.Build(host, hostNetwork, dns ?? [], search ?? [], options ?? []);

    [Fact]
    public void Build_HostNetwork_IsTheHostsFileUnchanged_LoopbackAndAll()
    {
        Assert.Equal(Stub, Build(Stub, hostNetwork: true));
    }

    [Fact]
    public void Build_ReachableNameserver_TheHostsFileAsItIs()
    {
        const string host = "# from DHCP\nsearch corp.example\nnameserver 10.255.255.53\noptions ndots:2\n";

        Assert.Equal(host, Build(host));
    }

    [Fact]
    public void Build_LoopbackNameserversAmongOthers_AreTakenOut_TheRestKept()
    {
        Assert.Equal("# two\nnameserver 10.0.0.2\nsearch lan\n",
            Build("# two\nnameserver 127.0.0.1\nnameserver 10.0.0.2\nnameserver ::1\n\nsearch lan\n"));
    }

    [Fact]
    public void Build_OnlyTheStub_GetsDockersDefaults_AfterWhatIsLeft()
    {
        Assert.Equal("# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).\n\n" +
                     "options edns0 trust-ad\nsearch lan\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n", Build(Stub));
    }

    [Fact]
    public void Build_Ipv6Nameservers_AreTakenOut_NoIpv6OnMiniRunsNetworks()
    {
        Assert.Equal("nameserver 10.0.0.2\n", Build("nameserver fd00::53\nnameserver 10.0.0.2\nnameserver fe80::1%eth0\n"));
        // Docker's second filtering finds none left: its defaults then come without a final newline.
        Assert.Equal("\nnameserver 8.8.8.8\nnameserver 8.8.4.4", Build("nameserver fd00::53\n"));
    }

    [Fact]
    public void Build_NoHostFile_DockersDefaults()
    {
        Assert.Equal("\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n", Build(""));
    }

    [Fact]
    public void Build_Dns_ReplacesTheNameservers_KeepsTheHostsSearchAndOptions_InDockersOrder()
    {
        Assert.Equal("search lan\nnameserver 1.2.3.4\nnameserver ::1\noptions edns0 trust-ad\n", Build(Stub, dns: ["1.2.3.4", "::1"]));
    }

    [Fact]
    public void Build_AllThreeFlags_ReplaceAll()
    {
        Assert.Equal("search a.example b.example\nnameserver 1.2.3.4\noptions ndots:2 rotate\n",
            Build(Stub, dns: ["1.2.3.4"], search: ["a.example", "b.example"], options: ["ndots:2", "rotate"]));
    }

    [Fact]
    public void Build_SearchDotAlone_WritesNoSearchLine()
    {
        Assert.Equal("nameserver 10.0.0.2\n", Build("search lan\nnameserver 10.0.0.2\n", search: ["."]));
        Assert.Equal("search a.example .\nnameserver 10.0.0.2\n", Build("nameserver 10.0.0.2\n", search: ["a.example", "."]));
    }

    [Fact]
    public void Build_EmptyOption_WritesNoOptionsLine()
    {
        Assert.Equal("nameserver 10.0.0.2\n", Build("nameserver 10.0.0.2\noptions rotate\n", options: [""]));
    }

    [Fact]
    public void Build_HostsLastSearchAndOptionsLines_AreTheOnesKept()
    {
        Assert.Equal("search b.example\nnameserver 1.2.3.4\noptions ndots:3\n",
            Build("search a.example\noptions rotate\nsearch b.example # corp\noptions ndots:3\n", dns: ["1.2.3.4"]));
    }

    [Fact]
    public void Build_SearchFlagOnly_OwnNetwork_HostsLoopbackNameserverReplacedByDefaults()
    {
        Assert.Equal("search x.example\nnameserver 8.8.8.8\nnameserver 8.8.4.4\noptions edns0 trust-ad\n", Build(Stub, search: ["x.example"]));
    }

    [Fact]
    public void Build_SearchFlagOnly_HostNetwork_HostsLoopbackNameserverKept()
    {
        Assert.Equal("search x.example\nnameserver 127.0.0.53\noptions edns0 trust-ad\n", Build(Stub, hostNetwork: true, search: ["x.example"]));
    }

    [Fact]
    public void ReadHostFile_OnlyTheStub_OffTheHostsNetwork_ReadsSystemdResolvedsUpstreamFile()
    {
        using var root = new TempDirectory("minirun-resolv-root");
        Directory.CreateDirectory(root.Combine("etc"));
        File.WriteAllText(root.Combine("etc", "resolv.conf"), Stub);
        Assert.Equal(Stub, ContainerResolvConf.ReadHostFile(hostNetwork: false, root.Path)); // no upstream file: the stub's

        Directory.CreateDirectory(root.Combine("run", "systemd", "resolve"));
        File.WriteAllText(root.Combine("run", "systemd", "resolve", "resolv.conf"), "nameserver 192.168.1.1\n");

        Assert.Equal("nameserver 192.168.1.1\n", ContainerResolvConf.ReadHostFile(hostNetwork: false, root.Path));
        Assert.Equal(Stub, ContainerResolvConf.ReadHostFile(hostNetwork: true, root.Path));
        File.WriteAllText(root.Combine("etc", "resolv.conf"), "nameserver 127.0.0.53\nnameserver 10.0.0.2\n");
        Assert.Equal("nameserver 127.0.0.53\nnameserver 10.0.0.2\n", ContainerResolvConf.ReadHostFile(hostNetwork: false, root.Path));
    }

    [Fact]
    public void ReadHostFile_NoFile_IsEmpty()
    {
        using var root = new TempDirectory("minirun-resolv-root");

        Assert.Equal("", ContainerResolvConf.ReadHostFile(hostNetwork: false, root.Path));
    }
}
