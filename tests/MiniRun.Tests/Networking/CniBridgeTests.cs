using System.Text.Json.Nodes;

namespace MiniRun.Tests.Networking;

/// <summary>
/// The real plugins (Debian's containernetworking-plugins) driven by minirun's CNI engine, each test in a network
/// namespace of its own (<see cref="NetworkSandbox"/>): the machine's own links, addresses and rules stay as they were.
/// </summary>
public sealed class CniBridgeTests
{
    private const string Subnet = "10.77.0.0/24", Gateway = "10.77.0.1";

    private static bool PluginsMissing => !File.Exists("/usr/lib/cni/bridge") && !File.Exists("/opt/cni/bin/bridge");

    [RootFact]
    public void AttachNetns_BridgeNetwork_ContainerGetsAddressAndReachesGateway()
    {
        Assert.False(PluginsMissing, "containernetworking-plugins is not installed (make deps)");
        HostNetworkState before = HostNetworkState.Take();
        using (var sandbox = new NetworkSandbox())
        {
            string id = sandbox.MiniRun("network", "create", "--subnet", Subnet, "web").Stdout.Trim();
            int container = sandbox.StartContainer();

            MiniRunCli.Result added = sandbox.MiniRun("network", "attach-netns", "web", NetworkSandbox.NetnsOf(container), "c1");
            Assert.True(added.ExitCode == 0, added.ToString());
            var result = (JsonObject)JsonNode.Parse(added.Stdout)!;
            Assert.Equal("10.77.0.2/24", result["ips"]![0]!["address"]!.ToString());

            string inside = NetworkSandbox.InNetns(container, "ip", "-4", "-o", "addr", "show", "dev", "eth0").Stdout;
            Assert.Contains("inet 10.77.0.2/24", inside);
            string links = NetworkSandbox.InNetns(sandbox.Pid, "ip", "-o", "link").Stdout;
            Assert.Contains("mr-" + id[..12], links);
            Assert.Contains("master mr-" + id[..12], links); // the veth's host end is on the bridge
            Assert.Contains($"inet {Gateway}/24", NetworkSandbox.InNetns(sandbox.Pid, "ip", "-4", "-o", "addr", "show", "dev", "mr-" + id[..12]).Stdout);

            MiniRunCli.Result ping = NetworkSandbox.InNetns(container, "busybox", "ping", "-c1", "-W2", Gateway);
            Assert.True(ping.ExitCode == 0, ping.ToString());

            Assert.True(File.Exists(Path.Combine(sandbox.StoreRoot, "networks", "results", "web-c1-eth0")));
            Assert.True(File.Exists(Path.Combine(sandbox.StoreRoot, "networks", "ipam", "web", "10.77.0.2")));
            MiniRunCli.Result check = sandbox.MiniRun("network", "check-netns", "web", NetworkSandbox.NetnsOf(container), "c1");
            Assert.True(check.ExitCode == 0, check.ToString());
            Assert.Contains("\"c1\"", sandbox.MiniRun("network", "inspect", "web").Stdout);
            // A network with a container on it is not removed.
            Assert.Equal(1, sandbox.MiniRun("network", "rm", "web").ExitCode);
        }
        before.AssertUnchanged();
    }

    [RootFact]
    public void DetachNetns_AfterAttach_RemovesVethAddressRecordAndResult()
    {
        Assert.False(PluginsMissing, "containernetworking-plugins is not installed (make deps)");
        HostNetworkState before = HostNetworkState.Take();
        using (var sandbox = new NetworkSandbox())
        {
            sandbox.MiniRun("network", "create", "--subnet", Subnet, "web");
            int container = sandbox.StartContainer();
            string netns = NetworkSandbox.NetnsOf(container);
            Assert.Equal(0, sandbox.MiniRun("network", "attach-netns", "web", netns, "c1").ExitCode);
            // What the DEL must undo is there (no rule names the address: the network's own rules are per network).
            Assert.Contains("veth", NetworkSandbox.InNetns(sandbox.Pid, "ip", "-o", "link").Stdout);
            Assert.Contains("inet 10.77.0.2/24", NetworkSandbox.InNetns(container, "ip", "-4", "-o", "addr").Stdout);
            Assert.True(File.Exists(Path.Combine(sandbox.StoreRoot, "networks", "results", "web-c1-eth0")));
            Assert.True(File.Exists(Path.Combine(sandbox.StoreRoot, "networks", "ipam", "web", "10.77.0.2")));

            MiniRunCli.Result deleted = sandbox.MiniRun("network", "detach-netns", "web", netns, "c1");
            Assert.True(deleted.ExitCode == 0, deleted.ToString());

            Assert.DoesNotContain("veth", NetworkSandbox.InNetns(sandbox.Pid, "ip", "-o", "link").Stdout);
            Assert.DoesNotContain("eth0", NetworkSandbox.InNetns(container, "ip", "-o", "link").Stdout);
            Assert.DoesNotContain("10.77.0.2", NetworkSandbox.InNetns(sandbox.Pid, "iptables-save").Stdout);
            Assert.False(File.Exists(Path.Combine(sandbox.StoreRoot, "networks", "results", "web-c1-eth0")));
            Assert.False(File.Exists(Path.Combine(sandbox.StoreRoot, "networks", "ipam", "web", "10.77.0.2")));
            // Attachable again, and the network removable once nothing is attached.
            Assert.Equal(0, sandbox.MiniRun("network", "attach-netns", "web", netns, "c1").ExitCode);
            Assert.Equal(0, sandbox.MiniRun("network", "detach-netns", "web", netns, "c1").ExitCode);
            Assert.Contains("\"minirun network web\"", NetworkSandbox.InNetns(sandbox.Pid, "iptables-save").Stdout); // made by the first attach
            Assert.Equal(0, sandbox.MiniRun("network", "rm", "web").ExitCode);
            Assert.False(Directory.Exists(Path.Combine(sandbox.StoreRoot, "networks", "ipam", "web")));
            Assert.DoesNotContain("minirun network web", NetworkSandbox.InNetns(sandbox.Pid, "iptables-save").Stdout);
        }
        before.AssertUnchanged();
    }

    [RootFact]
    public void DetachNetns_ContainerNamespaceGone_ReleasesAddressFromKeptResult()
    {
        Assert.False(PluginsMissing, "containernetworking-plugins is not installed (make deps)");
        using var sandbox = new NetworkSandbox();
        sandbox.MiniRun("network", "create", "--subnet", Subnet, "web");
        int container = sandbox.StartContainer();
        Assert.Equal(0, sandbox.MiniRun("network", "attach-netns", "web", NetworkSandbox.NetnsOf(container), "c1").ExitCode);
        System.Diagnostics.Process.GetProcessById(container).Kill(); // a crash: the container's namespace is gone
        System.Diagnostics.Process.GetProcessById(container).WaitForExit();

        // An empty CNI_NETNS, as after a crash: the plugins still release what they hold outside it.
        MiniRunCli.Result deleted = sandbox.MiniRun("network", "detach-netns", "web", "", "c1");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.False(File.Exists(Path.Combine(sandbox.StoreRoot, "networks", "ipam", "web", "10.77.0.2")));
        Assert.False(File.Exists(Path.Combine(sandbox.StoreRoot, "networks", "results", "web-c1-eth0")));
    }

    [RootFact]
    public void AttachNetns_BadPluginConfig_FailsInOneLineNamingThePlugin()
    {
        Assert.False(PluginsMissing, "containernetworking-plugins is not installed (make deps)");
        HostNetworkState before = HostNetworkState.Take();
        using (var sandbox = new NetworkSandbox())
        {
            Directory.CreateDirectory(Path.Combine(sandbox.StoreRoot, "networks"));
            File.WriteAllText(Path.Combine(sandbox.StoreRoot, "networks", "bad.conflist"), """
                {"cniVersion":"1.0.0","name":"bad","plugins":[
                  {"type":"loopback"},
                  {"type":"tuning","sysctl":{"net.ipv4.no_such_sysctl":"1"}}]}
                """);
            int container = sandbox.StartContainer();

            MiniRunCli.Result failed = sandbox.MiniRun("network", "attach-netns", "bad", NetworkSandbox.NetnsOf(container), "c1");

            Assert.Equal(1, failed.ExitCode);
            Assert.Single(failed.Stderr.TrimEnd('\n').Split('\n'));
            Assert.StartsWith("minirun: CNI plugin tuning (ADD): ", failed.Stderr);
            Assert.False(File.Exists(Path.Combine(sandbox.StoreRoot, "networks", "results", "bad-c1-eth0")));
        }
        before.AssertUnchanged();
    }

    [RootFact]
    public void Create_RouteInNamespaceOn17218_TakesNextSubnet()
    {
        using var sandbox = new NetworkSandbox();
        foreach (string[] step in new[] { new[] { "ip", "link", "add", "probe0", "type", "bridge" }, ["ip", "addr", "add", "172.18.3.1/16", "dev", "probe0"], ["ip", "link", "set", "probe0", "up"] })
            Assert.Equal(0, NetworkSandbox.InNetns(sandbox.Pid, step).ExitCode);

        Assert.Equal(0, sandbox.MiniRun("network", "create", "web").ExitCode);

        Assert.Contains("\"Subnet\": \"172.19.0.0/16\"", sandbox.MiniRun("network", "inspect", "web").Stdout);
    }
}
