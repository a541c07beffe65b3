namespace MiniRun.Tests.Networking;

/// <summary>
/// Forwarding on a host whose FORWARD policy is DROP, as Docker leaves it: a network's own accept rules, first in the
/// chain, still let its containers out, between each other, and let the world in to their published ports. "Outside" is
/// a network namespace of the test's own, 10.99.0.2, joined to the sandbox (10.99.0.1) by a veth pair; it has no route
/// to the containers' subnets, so what reaches it from them came through the MASQUERADE, and what reaches them from it
/// through a published port's DNAT.
/// </summary>
public sealed class NetworkForwardingTests
{
    private const string SandboxSide = "10.99.0.1", OutsideAddress = "10.99.0.2";

    /// <summary>The sandbox with FORWARD's policy DROP and an outside namespace (its PID) serving "hello-outside" on port 8000.</summary>
    private static int DropPolicyAndOutside(NetworkSandbox sandbox)
    {
        Ok(NetworkSandbox.InNetns(sandbox.Pid, "iptables", "-w", "-t", "filter", "-P", "FORWARD", "DROP"));
        int outside = sandbox.StartContainer();
        Ok(NetworkSandbox.InNetns(sandbox.Pid, "ip", "link", "add", "outside0", "type", "veth", "peer", "name", "eth0", "netns", outside.ToString()));
        Ok(NetworkSandbox.InNetns(sandbox.Pid, "ip", "addr", "add", SandboxSide + "/24", "dev", "outside0"));
        Ok(NetworkSandbox.InNetns(sandbox.Pid, "ip", "link", "set", "outside0", "up"));
        Ok(NetworkSandbox.InNetns(outside, "ip", "link", "set", "lo", "up"));
        Ok(NetworkSandbox.InNetns(outside, "ip", "addr", "add", OutsideAddress + "/24", "dev", "eth0"));
        Ok(NetworkSandbox.InNetns(outside, "ip", "link", "set", "eth0", "up"));
        string www = Path.Combine(sandbox.StoreRoot, "outside-www");
        Directory.CreateDirectory(www);
        File.WriteAllText(Path.Combine(www, "index.html"), "hello-outside\n");
        // In the sandbox's mount namespace (where the store is), then in outside's network namespace: killed by Dispose.
        sandbox.Start("nsenter", "-t", outside.ToString(), "-n", "/bin/busybox", "httpd", "-f", "-p", "8000", "-h", www);
        return outside;
    }

    private static void Ok(MiniRunCli.Result result) => Assert.True(result.ExitCode == 0, result.ToString());

    [RootFact]
    public void Run_ForwardPolicyDrop_DefaultBridgeContainerReachesOutside()
    {
        using var sandbox = new NetworkSandbox();
        sandbox.LoadMinibox();
        DropPolicyAndOutside(sandbox);

        MiniRunCli.Result run = ContainerNetworkTests.Eventually(() => sandbox.MiniRunWithDefault("", "run", "--rm", "minibox", "sh", "-c",
            $"ping -c1 -W2 {OutsideAddress} >/dev/null && wget -q -O- http://{OutsideAddress}:8000/"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("hello-outside\n", run.Stdout);
    }

    [RootFact]
    public void Run_ForwardPolicyDrop_PublishedPortServesOutside()
    {
        using var sandbox = new NetworkSandbox();
        sandbox.LoadMinibox();
        int outside = DropPolicyAndOutside(sandbox);
        try
        {
            sandbox.MiniRunOk(["run", "-d", "--name", "pub", "--network", "bridge", "-p", "8080:80", "minibox", .. ContainerNetworkTests.Server("hello-pub")]);

            // From outside: PREROUTING's DNAT to the container, then FORWARD with conntrack state DNAT.
            MiniRunCli.Result get = ContainerNetworkTests.Eventually(() =>
                NetworkSandbox.InNetns(outside, "timeout", "5", "/bin/busybox", "wget", "-q", "-Y", "off", "-O-", $"http://{SandboxSide}:8080/"));

            Assert.Equal((0, "hello-pub\n"), (get.ExitCode, get.Stdout));
        }
        finally
        {
            sandbox.MiniRun("rm", "-f", "pub");
        }
    }

    [RootFact]
    public void Run_ForwardPolicyDrop_UserDefinedNetworkPeersReachEachOtherAndOutside()
    {
        using var sandbox = new NetworkSandbox();
        sandbox.LoadMinibox();
        DropPolicyAndOutside(sandbox);
        try
        {
            sandbox.MiniRunOk("network", "create", "dropnet");
            sandbox.MiniRunOk(["run", "-d", "--name", "web", "--network", "dropnet", "minibox", .. ContainerNetworkTests.Server("hello-peer")]);

            // The bridge's own traffic goes through FORWARD too (br_netfilter): container to container.
            MiniRunCli.Result run = ContainerNetworkTests.Eventually(() => sandbox.MiniRun("run", "--rm", "--network", "dropnet", "minibox", "sh", "-c",
                $"wget -q -O- http://web/ && wget -q -O- http://{OutsideAddress}:8000/"));

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("hello-peer\nhello-outside\n", run.Stdout);
        }
        finally
        {
            sandbox.MiniRun("rm", "-f", "web");
            sandbox.MiniRun("network", "rm", "dropnet");
        }
    }
}
