using System.Text.Json.Nodes;

namespace MiniRun.Tests.Networking;

/// <summary>`network create|ls|inspect|rm|prune` against a store of the test's own; none of these calls a plugin.</summary>
public sealed class NetworkVerbTests : IDisposable
{
    private readonly TempDirectory _store = new("minirun-netverb");
    private readonly MiniRunCli _cli;

    public NetworkVerbTests() => _cli = new MiniRunCli(_store.Path);

    public void Dispose() => _store.Dispose();

    [RootFact]
    public void NoSubcommand_PrintsItsHelp_AsDockerNetwork()
    {
        MiniRunCli.Result result = _cli.Run("network");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("Usage:  minirun network create", result.Stdout);
        Assert.False(Directory.Exists(_store.Combine("networks")));
    }

    [RootFact]
    public void Create_Named_PrintsIdAndWritesConflist()
    {
        string id = _cli.RunOk("network", "create", "--subnet", "10.55.0.0/24", "web").Stdout.Trim();
        Assert.Matches("^[0-9a-f]{64}$", id);
        var conflist = (JsonObject)JsonNode.Parse(File.ReadAllText(_store.Combine("networks", "web.conflist")))!;
        Assert.Equal("web", conflist["name"]!.ToString());
        Assert.Equal("mr-" + id[..12], conflist["plugins"]![0]!["bridge"]!.ToString());
        Assert.Equal(_store.Combine("networks", "ipam"), conflist["plugins"]![0]!["ipam"]!["dataDir"]!.ToString());
    }

    [RootFact]
    public void Ls_WithOneNetwork_ListsItAndTheBuiltInsAsDocker()
    {
        string id = _cli.RunOk("network", "create", "web").Stdout.Trim();
        string[] lines = _cli.RunOk("network", "ls").Stdout.TrimEnd('\n').Split('\n');
        Assert.Matches(@"^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$", lines[0]);
        Assert.Equal(["bridge bridge", "host host", "none null", "web bridge"],
            lines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(c => $"{c[1]} {c[2]}"));
        Assert.Contains(lines, l => l.StartsWith(id[..12] + "   web ", StringComparison.Ordinal));
        Assert.Equal(4, _cli.RunOk("network", "ls", "-q").Stdout.TrimEnd('\n').Split('\n').Length);
    }

    [RootFact]
    public void Create_NoSubnet_TakesNextFreeLikeDocker()
    {
        _cli.RunOk("network", "create", "--subnet", "172.18.0.0/16", "a");
        _cli.RunOk("network", "create", "b");
        var inspect = (JsonArray)JsonNode.Parse(_cli.RunOk("network", "inspect", "b").Stdout)!;
        string subnet = inspect[0]!["IPAM"]!["Config"]![0]!["Subnet"]!.ToString();
        Assert.NotEqual("172.18.0.0/16", subnet);
        Assert.StartsWith(subnet.StartsWith("172.", StringComparison.Ordinal) ? "172." : "192.168.", subnet);
    }

    [RootFact]
    public void Inspect_Network_HasDockerShape()
    {
        string id = _cli.RunOk("network", "create", "--subnet", "10.55.0.0/24", "--gateway", "10.55.0.254", "web").Stdout.Trim();
        var doc = (JsonObject)((JsonArray)JsonNode.Parse(_cli.RunOk("network", "inspect", "web").Stdout)!)[0]!;
        Assert.Equal("web", doc["Name"]!.ToString());
        Assert.Equal(id, doc["Id"]!.ToString());
        Assert.Equal("bridge", doc["Driver"]!.ToString());
        Assert.Equal("local", doc["Scope"]!.ToString());
        Assert.Equal("10.55.0.0/24", doc["IPAM"]!["Config"]![0]!["Subnet"]!.ToString());
        Assert.Equal("10.55.0.254", doc["IPAM"]!["Config"]![0]!["Gateway"]!.ToString());
        Assert.Empty((JsonObject)doc["Containers"]!);
        Assert.EndsWith("Z", doc["Created"]!.ToString());
    }

    [RootFact]
    public void Rm_NoSuchNetwork_ExitsOneSayingSo()
    {
        MiniRunCli.Result result = _cli.Run("network", "rm", "nosuch");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("minirun: network nosuch not found\n", result.Stderr);
        Assert.Equal(1, _cli.Run("network", "inspect", "nosuch").ExitCode);
    }

    [RootTheory]
    [InlineData("bridge")]
    [InlineData("host")]
    [InlineData("none")]
    public void RmAndCreate_BuiltIn_AreRefused(string name)
    {
        MiniRunCli.Result rm = _cli.Run("network", "rm", name);
        Assert.Equal(1, rm.ExitCode);
        Assert.Contains("pre-defined", rm.Stderr);
        MiniRunCli.Result create = _cli.Run("network", "create", name);
        Assert.Equal(1, create.ExitCode);
        Assert.Equal($"minirun: operation is not permitted on predefined {name} network\n", create.Stderr);
        Assert.False(File.Exists(_store.Combine("networks", name + ".conflist")));
    }

    [RootFact]
    public void Create_BadInput_ExitsOneAndWritesNothing()
    {
        Assert.Equal(1, _cli.Run("network", "create", "--subnet", "10.55.0.1/24", "a").ExitCode);
        Assert.Equal(1, _cli.Run("network", "create", "--subnet", "10.55.0.0/24", "--gateway", "10.56.0.1", "b").ExitCode);
        Assert.Equal(1, _cli.Run("network", "create", "--gateway", "10.56.0.1", "c").ExitCode);
        Assert.Equal(1, _cli.Run("network", "create", "bad/name").ExitCode);
        _cli.RunOk("network", "create", "--subnet", "10.55.0.0/24", "d");
        MiniRunCli.Result overlap = _cli.Run("network", "create", "--subnet", "10.55.0.0/16", "e");
        Assert.Equal(1, overlap.ExitCode);
        Assert.Contains("overlaps", overlap.Stderr);
        MiniRunCli.Result twice = _cli.Run("network", "create", "d");
        Assert.Equal("minirun: network with name d already exists\n", twice.Stderr);
        Assert.Equal(["d.conflist"], Directory.GetFiles(_store.Combine("networks"), "*.conflist").Select(Path.GetFileName));
    }

    [RootFact]
    public void RmAndPrune_UserNetworks_AreRemoved()
    {
        _cli.RunOk("network", "create", "a");
        _cli.RunOk("network", "create", "b");
        _cli.RunOk("network", "create", "c");
        Assert.Equal("a\n", _cli.RunOk("network", "rm", "a").Stdout);
        Assert.Equal("Deleted Networks:\nb\nc\n\n", _cli.RunOk("network", "prune", "-f").Stdout);
        Assert.Empty(Directory.GetFiles(_store.Combine("networks"), "*.conflist"));
    }

    [RootFact]
    public void Connect_HostOrNone_IsRefusedInTheDaemonsWords()
    {
        string rootfs = _store.Combine("rootfs.tar");
        File.WriteAllBytes(rootfs, new MiniRun.Fixtures.Tar.TarBuilder().File("x", "x\n").ToArray());
        _cli.RunOk("import", rootfs, "connect-test:1");
        _cli.RunOk("network", "create", "--subnet", "10.55.0.0/24", "web");
        _cli.RunOk("create", "--network", "web", "--name", "connected", "connect-test:1", "/x");
        try
        {
            MiniRunCli.Result host = _cli.Run("network", "connect", "host", "connected");
            MiniRunCli.Result none = _cli.Run("network", "connect", "none", "connected");

            // dockerd's words (checked against 20.10): this was an unhandled ArgumentOutOfRangeException.
            Assert.Equal((1, "minirun: container cannot be disconnected from host network or connected to host network\n"), (host.ExitCode, host.Stderr));
            Assert.Equal((1, "minirun: container cannot be connected to multiple networks with one of the networks in private (none) mode\n"), (none.ExitCode, none.Stderr));
        }
        finally
        {
            _cli.Run("rm", "-f", "connected");
        }
    }
}
