using System.Text.Json.Nodes;
using MiniRun.Networking.Cni;

namespace MiniRun.Tests.Networking;

/// <summary>
/// The CNI protocol as a plugin sees it, with plugins of the test's own (shell scripts that log their environment and
/// stdin and answer a result): nothing here touches a network, so it needs neither root nor a sandbox.
/// </summary>
public sealed class CniProtocolTests : IDisposable
{
    private readonly TempDirectory _dir = new("minirun-cni");
    private readonly CniEngine _engine;
    private string Log => _dir.Combine("calls.log");

    // Logs "COMMAND TYPE CONTAINERID NETNS IFNAME CNI_PATH", keeps its stdin as TYPE-COMMAND.json, answers a result
    // naming itself on ADD; a plugin named "broken" fails with the CNI error JSON instead.
    private const string Script = """
        #!/bin/sh
        type=$(basename "$0")
        cat > "$(dirname "$0")/../$type-$CNI_COMMAND.json"
        echo "$CNI_COMMAND $type $CNI_CONTAINERID $CNI_NETNS $CNI_IFNAME $CNI_PATH" >> "$(dirname "$0")/../calls.log"
        if [ "$type" = broken ]; then printf '{"code":7,"msg":"bad config","details":"no bridge"}'; exit 1; fi
        if [ "$CNI_COMMAND" = ADD ]; then printf '{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.2/24"}],"by":"%s"}' "$type"; fi
        exit 0
        """;

    public CniProtocolTests()
    {
        string bin = _dir.Combine("bin");
        Directory.CreateDirectory(bin);
        foreach (string type in new[] { "first", "second", "broken" })
        {
            File.WriteAllText(Path.Combine(bin, type), Script);
            File.SetUnixFileMode(Path.Combine(bin, type), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _engine = new CniEngine(new CniPluginRunner(new CniPluginPath([_dir.Combine("nowhere"), bin])), new CniResultCache(_dir.Combine("results")));
    }

    public void Dispose() => _dir.Dispose();

    private static NetworkConfigList List(params string[] types) => Named("net1", types);

    private static NetworkConfigList Named(string name, params string[] types)
    {
        var plugins = new JsonArray();
        foreach (string type in types)
            plugins.Add((JsonNode)new JsonObject { ["type"] = type, ["capabilities"] = new JsonObject { ["portMappings"] = type == "second" } });
        return NetworkConfigList.FromDocument(new JsonObject { ["cniVersion"] = "1.0.0", ["name"] = name, ["plugins"] = plugins }, "test");
    }

    private JsonObject Stdin(string type, string command) => (JsonObject)JsonNode.Parse(File.ReadAllText(_dir.Combine($"{type}-{command}.json")))!;

    private static readonly RuntimeConf Container = new("c1", "/proc/1/ns/net", "eth0", new JsonObject { ["portMappings"] = new JsonArray(new JsonObject { ["hostPort"] = 8080 }) });

    [Fact]
    public void Add_TwoPlugins_InOrderWithPrevResultEnvironmentAndRuntimeConfig()
    {
        JsonObject result = _engine.Add(List("first", "second"), Container);

        Assert.Equal("second", result["by"]!.ToString());
        Assert.Equal([$"ADD first c1 /proc/1/ns/net eth0 {_dir.Combine("nowhere")}:{_dir.Combine("bin")}", $"ADD second c1 /proc/1/ns/net eth0 {_dir.Combine("nowhere")}:{_dir.Combine("bin")}"],
            File.ReadAllLines(Log));
        JsonObject first = Stdin("first", "ADD"), second = Stdin("second", "ADD");
        Assert.Equal("net1", first["name"]!.ToString());
        Assert.Equal("1.0.0", first["cniVersion"]!.ToString());
        Assert.Null(first["prevResult"]);
        Assert.Null(first["runtimeConfig"]); // it did not ask for portMappings
        Assert.Equal("first", second["prevResult"]!["by"]!.ToString());
        Assert.Equal(8080, second["runtimeConfig"]!["portMappings"]![0]!["hostPort"]!.GetValue<int>());
        Assert.True(File.Exists(_dir.Combine("results", "net1-c1-eth0")));
    }

    [Fact]
    public void Del_AfterAdd_InReverseWithKeptResultThenForgetsIt()
    {
        _engine.Add(List("first", "second"), Container);
        File.Delete(Log);

        // No config and no capability arguments given: a DEL after a crash has only what the ADD kept.
        _engine.Del("net1", null, Container with { CapabilityArgs = null });

        Assert.Equal(["DEL second", "DEL first"], File.ReadAllLines(Log).Select(l => string.Join(' ', l.Split(' ')[..2])));
        Assert.Equal("second", Stdin("first", "DEL")["prevResult"]!["by"]!.ToString());
        Assert.Equal(8080, Stdin("second", "DEL")["runtimeConfig"]!["portMappings"]![0]!["hostPort"]!.GetValue<int>());
        Assert.False(File.Exists(_dir.Combine("results", "net1-c1-eth0")));
    }

    [Fact]
    public void Check_AfterAdd_InOrderWithKeptResult()
    {
        _engine.Add(List("first", "second"), Container);
        File.Delete(Log);
        _engine.Check("net1", Container);
        Assert.Equal(["CHECK first", "CHECK second"], File.ReadAllLines(Log).Select(l => string.Join(' ', l.Split(' ')[..2])));
        Assert.Equal("second", Stdin("first", "CHECK")["prevResult"]!["by"]!.ToString());
    }

    [Fact]
    public void Del_PluginFails_StopsAndKeepsResultForRetry()
    {
        NetworkConfigList list = List("first", "broken", "second");
        var cache = new CniResultCache(_dir.Combine("results"));
        cache.Write(list, Container, new JsonObject { ["cniVersion"] = "1.0.0" });

        Assert.Throws<MiniRunException>(() => _engine.Del("net1", list, Container));

        Assert.Equal(["DEL second", "DEL broken"], File.ReadAllLines(Log).Select(l => string.Join(' ', l.Split(' ')[..2])));
        Assert.True(File.Exists(_dir.Combine("results", "net1-c1-eth0")));
    }

    [Fact]
    public void Check_NeverAdded_IsNotFound()
    {
        Assert.Throws<NotFoundException>(() => _engine.Check("net1", Container));
    }

    [Fact]
    public void Add_PluginFails_OneLineNamingItAndUndoneByDelOfEveryPlugin()
    {
        var e = Assert.Throws<MiniRunException>(() => _engine.Add(List("first", "broken", "second"), Container));

        Assert.Equal("CNI plugin broken (ADD): bad config: no bridge (code 7)", e.Message);
        Assert.Equal(["ADD first", "ADD broken", "DEL second", "DEL broken", "DEL first"], File.ReadAllLines(Log).Select(l => string.Join(' ', l.Split(' ')[..2])));
        Assert.False(File.Exists(_dir.Combine("results", "net1-c1-eth0")));
    }

    [Fact]
    public void Add_Twice_IsRefused()
    {
        _engine.Add(List("first"), Container);
        Assert.Contains("already attached", Assert.Throws<MiniRunException>(() => _engine.Add(List("first"), Container)).Message);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("")]
    [InlineData("a b")]
    public void Add_BadContainerId_IsRefusedBeforeAnyPlugin(string id)
    {
        Assert.Throws<InvalidInputException>(() => _engine.Add(List("first"), Container with { ContainerId = id }));
        Assert.False(File.Exists(Log));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    public void DelAndCheck_NetworkNameMakingAPath_IsRefusedBeforeAnyFile(string network)
    {
        // A good record outside results/: without the check, DEL would run its plugins and remove it.
        new CniResultCache(_dir.Path).Write(Named("escape", "first"), Container, new JsonObject { ["cniVersion"] = "1.0.0" });
        Assert.Throws<InvalidInputException>(() => _engine.Del(network, null, Container));
        Assert.Throws<InvalidInputException>(() => _engine.Check(network, Container));
        Assert.True(File.Exists(_dir.Combine("escape-c1-eth0")));
        Assert.False(File.Exists(Log));
    }

    [Fact]
    public void Add_PluginNotInPath_SaysWhereItLooked()
    {
        var e = Assert.Throws<MiniRunException>(() => _engine.Add(List("absent"), Container));
        Assert.Contains("CNI plugin absent: not found in", e.Message);
    }
}
