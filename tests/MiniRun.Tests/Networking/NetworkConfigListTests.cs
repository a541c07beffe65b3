using System.Text;
using System.Text.Json.Nodes;
using MiniRun.Networking;
using MiniRun.Networking.Cni;

namespace MiniRun.Tests.Networking;

public sealed class NetworkConfigListTests
{
    private static JsonObject Plugin(NetworkConfigList list, int index, JsonObject? prev = null, JsonObject? capabilityArgs = null) =>
        (JsonObject)JsonNode.Parse(Encoding.UTF8.GetString(list.PluginConfig(index, prev, capabilityArgs)))!;

    private static NetworkConfigList Docker() =>
        BridgeConflist.Build("web", new string('a', 64), DateTimeOffset.UnixEpoch, Ipv4Subnet.Parse("172.18.0.0/16"), Ipv4Subnet.ParseAddress("172.18.0.1")!.Value, "/store/networks/ipam");

    [Fact]
    public void Build_DockerDefault_IsBridgePortmapWithTheNetworksOwnRules()
    {
        NetworkConfigList list = Docker();
        Assert.Equal("1.0.0", list.CniVersion);
        Assert.Equal(["bridge", "portmap"], Enumerable.Range(0, list.Plugins.Count).Select(list.PluginType));
        JsonObject bridge = list.Plugins[0];
        Assert.Equal("mr-aaaaaaaaaaaa", bridge["bridge"]!.ToString());
        Assert.True(bridge["isGateway"]!.GetValue<bool>() && bridge["hairpinMode"]!.GetValue<bool>());
        // NAT and forwarding: the network's own rules (NetworkRules), not the plugins' per container.
        Assert.False(bridge["ipMasq"]!.GetValue<bool>());
        Assert.True(list.Document[NetworkRules.MasqueradeField]!.GetValue<bool>());
        Assert.True(list.Document[NetworkRules.ForwardField]!.GetValue<bool>());
        Assert.Equal("host-local", bridge["ipam"]!["type"]!.ToString());
        Assert.Equal("172.18.0.0/16", bridge["ipam"]!["ranges"]![0]![0]!["subnet"]!.ToString());
        Assert.Equal("172.18.0.1", bridge["ipam"]!["ranges"]![0]![0]!["gateway"]!.ToString());
        Assert.Equal("/store/networks/ipam", bridge["ipam"]!["dataDir"]!.ToString());
        Assert.True(list.Plugins[1]["capabilities"]!["portMappings"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("""[{"type":"bridge","ipMasq":false},{"type":"portmap"}]""", true)]
    [InlineData("""[{"type":"bridge"},{"type":"portmap"},{"type":"firewall"}]""", true)]
    [InlineData("""[{"type":"bridge","ipMasq":true},{"type":"portmap"}]""", false)]
    [InlineData("""[{"type":"bridge"},{"type":"tuning"}]""", false)]
    [InlineData("""[{"type":"macvlan"}]""", false)]
    public void NamespaceFirstTeardown_Suffices_OnlyForPluginsThatReleaseWithoutTheNamespace(string plugins, bool suffices)
    {
        NetworkConfigList list = NetworkConfigList.Parse($$"""{"cniVersion":"1.0.0","name":"n","plugins":{{plugins}}}""", "test");
        Assert.Equal(suffices, NamespaceFirstTeardown.Suffices(list));
        Assert.True(NamespaceFirstTeardown.Suffices(Docker())); // what `network create` makes
    }

    [Fact]
    public void NamespaceFirstTeardown_HostInterfaces_AreThoseOutsideTheSandbox()
    {
        var result = (JsonObject)JsonNode.Parse("""{"interfaces":[{"name":"minirun0"},{"name":"veth1234abcd"},{"name":"eth0","sandbox":"/x/netns"}]}""")!;
        Assert.Equal(["minirun0", "veth1234abcd"], NamespaceFirstTeardown.HostInterfaces(result));
    }

    [Fact]
    public void NetworkRules_NewNetwork_AreItsNatThenItsTwoForwardRulesFirstInTheChain()
    {
        IReadOnlyList<IptablesRule> rules = NetworkRules.Of(Docker());

        Assert.Equal([
            "nat -A POSTROUTING -s 172.18.0.0/16 ! -o mr-aaaaaaaaaaaa -m comment --comment \"minirun network web\" -j MASQUERADE",
            "filter -I FORWARD -o mr-aaaaaaaaaaaa -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -m comment --comment \"minirun network web\" -j ACCEPT",
            "filter -I FORWARD -i mr-aaaaaaaaaaaa -m comment --comment \"minirun network web\" -j ACCEPT",
        ], rules.Select(r => $"{r.Table} {(r.First ? "-I" : "-A")}{r.Listed[2..]}"));
        Assert.Equal(["iptables", "-w", "-t", "filter", "-D", "FORWARD", "-i", "mr-aaaaaaaaaaaa", "-m", "comment", "--comment", "minirun network web", "-j", "ACCEPT"], rules[2].Delete);
    }

    [Fact]
    public void NetworkRules_ConflistMadeBefore_KeepsItsPluginsAndGetsNoForwardRules()
    {
        // A network made before its forwarding was its own: its conflist still has the firewall plugin, no minirunForward.
        const string json = """
            {"cniVersion":"1.0.0","name":"old","minirunMasquerade":true,"plugins":[
              {"type":"bridge","bridge":"mr-0123456789ab","ipMasq":false,"ipam":{"type":"host-local","ranges":[[{"subnet":"172.19.0.0/16"}]]}},
              {"type":"portmap","capabilities":{"portMappings":true}},{"type":"firewall","backend":"iptables"},{"type":"tuning"}]}
            """;
        Assert.Equal(["POSTROUTING"], NetworkRules.Of(NetworkConfigList.Parse(json, "old.conflist")).Select(r => r.Chain));
        Assert.Empty(NetworkRules.Of(NetworkConfigList.Parse(json.Replace("\"minirunMasquerade\":true,", ""), "old.conflist")));
    }

    [Fact]
    public void BridgeName_IsAtMostFifteenCharacters()
    {
        Assert.Equal(15, BridgeConflist.BridgeName(new string('f', 64)).Length);
    }

    [Fact]
    public void PluginConfig_FirstPlugin_HasNameAndVersionAndNoPrevResult()
    {
        JsonObject conf = Plugin(Docker(), 0);
        Assert.Equal("web", conf["name"]!.ToString());
        Assert.Equal("1.0.0", conf["cniVersion"]!.ToString());
        Assert.Null(conf["prevResult"]);
        Assert.Null(conf["runtimeConfig"]);
    }

    [Fact]
    public void PluginConfig_ChainedPlugin_GetsPrevResult()
    {
        var prev = new JsonObject { ["cniVersion"] = "1.0.0", ["ips"] = new JsonArray(new JsonObject { ["address"] = "172.18.0.2/16" }) };
        JsonObject conf = Plugin(Docker(), 1, prev);
        Assert.Equal("172.18.0.2/16", conf["prevResult"]!["ips"]![0]!["address"]!.ToString());
    }

    [Fact]
    public void PluginConfig_CapabilityAsked_GetsRuntimeConfigOnlyThere()
    {
        var args = new JsonObject { ["portMappings"] = new JsonArray(new JsonObject { ["hostPort"] = 8080, ["containerPort"] = 80, ["protocol"] = "tcp" }) };
        JsonObject portmap = Plugin(Docker(), 1, null, args);
        Assert.Equal(8080, portmap["runtimeConfig"]!["portMappings"]![0]!["hostPort"]!.GetValue<int>());
        Assert.Null(Plugin(Docker(), 0, null, args)["runtimeConfig"]); // bridge did not ask for portMappings
    }

    [Fact]
    public void Parse_UnknownFields_AreKeptWhenWrittenBack()
    {
        const string json = """{"cniVersion":"1.0.0","name":"x","nerdctlID":"abc","plugins":[{"type":"third-party","custom":{"deep":[1,2]}}]}""";
        NetworkConfigList list = NetworkConfigList.Parse(json, "test");
        var back = (JsonObject)JsonNode.Parse(list.ToBytes())!;
        Assert.Equal("abc", back["nerdctlID"]!.ToString());
        Assert.Equal(2, back["plugins"]![0]!["custom"]!["deep"]![1]!.GetValue<int>());
        Assert.Equal(2, Plugin(list, 0)["custom"]!["deep"]![1]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"cniVersion":"1.0.0","plugins":[{"type":"bridge"}]}""", "no \"name\"")]
    [InlineData("""{"cniVersion":"1.0.0","name":"x","plugins":[]}""", "no \"plugins\"")]
    [InlineData("""{"cniVersion":"1.0.0","name":"x","plugins":[{"bridge":"b"}]}""", "\"type\"")]
    [InlineData("""{"name":"x","plugins":[{"type":"bridge"}]}""", "cniVersion")]
    [InlineData("not json", "not JSON")]
    public void Parse_Malformed_IsRefusedInOneLine(string json, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => NetworkConfigList.Parse(json, "f.conflist"));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void PluginPath_TypeWithSlash_IsRefused()
    {
        Assert.Throws<InvalidInputException>(() => new CniPluginPath(["/usr/lib/cni"]).Find("../../bin/sh"));
    }

    [Fact]
    public void PluginError_CniErrorJson_IsOneLineNamingThePlugin()
    {
        MiniRunException e = CniPluginError.From("bridge", CniCommand.Add, 1, """{"code":7,"msg":"invalid config","details":"no\nbridge"}""");
        Assert.Equal("CNI plugin bridge (ADD): invalid config: no bridge (code 7)", e.Message);
    }
}
