using System.Text.RegularExpressions;

namespace MiniRun.Tests.Networking;

/// <summary>
/// Real containers (minibox) on CNI networks, each test in a <see cref="NetworkSandbox"/> of its own with a store of
/// its own: names and aliases on a user-defined network, the default bridge's way to the host, published ports
/// (-p, -P), `--network container:` and --explain's narration of the plugins. The machine's own network is never touched.
/// </summary>
public sealed class ContainerNetworkTests
{
    /// <summary>The default bridge's gateway in a sandbox: nothing there takes 172.17.0.0/16 first.</summary>
    private const string Gateway = "172.17.0.1";

    /// <summary>busybox httpd in the foreground serving <paramref name="text"/> as its index page on port 80.</summary>
    internal static string[] Server(string text) => ["sh", "-c", $"mkdir -p /www && echo {text} > /www/index.html && exec httpd -f -p 80 -h /www"];

    /// <summary>The probe retried until it succeeds (a server just started may not listen yet), 10 s at most: its last result.</summary>
    internal static MiniRunCli.Result Eventually(Func<MiniRunCli.Result> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            MiniRunCli.Result result = probe();
            if (result.ExitCode == 0 || DateTime.UtcNow > deadline) return result;
            Thread.Sleep(100);
        }
    }

    /// <summary>An HTTP GET from the sandbox's host side (busybox wget, no proxy; its -T crashes busybox 1.35, hence timeout).</summary>
    internal static MiniRunCli.Result HostGet(NetworkSandbox sandbox, string url) =>
        NetworkSandbox.InNetns(sandbox.Pid, "timeout", "5", "/bin/busybox", "wget", "-q", "-Y", "off", "-O-", url);

    private static string AddressOf(NetworkSandbox sandbox, string container) =>
        Regex.Match(sandbox.MiniRunOk("exec", container, "ip", "-4", "-o", "addr", "show", "dev", "eth0").Stdout, @"inet (\S+)/").Groups[1].Value;

    [RootFact]
    public void Run_TwoContainersOnUserDefinedNetwork_ReachEachOtherByNameAndAlias()
    {
        using var sandbox = new NetworkSandbox();
        sandbox.LoadMinibox();
        try
        {
            sandbox.MiniRunOk("network", "create", "appnet");
            sandbox.MiniRunOk(["run", "-d", "--name", "web", "--network", "appnet", "--network-alias", "www", "minibox", .. Server("hello-web")]);
            sandbox.MiniRunOk("run", "-d", "--name", "client", "--network", "appnet", "minibox", "sleep", "300");

            MiniRunCli.Result ping = sandbox.MiniRun("exec", "client", "ping", "-c1", "-W2", "web");
            Assert.True(ping.ExitCode == 0, ping.ToString());
            Assert.Contains($"PING web ({AddressOf(sandbox, "web")})", ping.Stdout);
            MiniRunCli.Result byName = Eventually(() => sandbox.MiniRun("exec", "client", "wget", "-q", "-O-", "http://web/"));
            Assert.Equal((0, "hello-web\n"), (byName.ExitCode, byName.Stdout));
            MiniRunCli.Result byAlias = sandbox.MiniRun("exec", "client", "wget", "-q", "-O-", "http://www/");
            Assert.Equal((0, "hello-web\n"), (byAlias.ExitCode, byAlias.Stdout));
        }
        finally
        {
            sandbox.MiniRun("rm", "-f", "web", "client");
        }
    }

    [RootFact]
    public void Run_PeerStartedLater_EarlierOneReachesIt_AndItsHostsGainsIt_UntilItGoes()
    {
        using var sandbox = new NetworkSandbox();
        sandbox.LoadMinibox();
        try
        {
            sandbox.MiniRunOk("network", "create", "appnet");
            sandbox.MiniRunOk("run", "-d", "--name", "first", "--network", "appnet", "minibox", "sleep", "300");
            Assert.DoesNotContain("later", sandbox.MiniRunOk("exec", "first", "cat", "/etc/hosts").Stdout);
            sandbox.MiniRunOk(["run", "-d", "--name", "later", "--network", "appnet", "--network-alias", "api", "minibox", .. Server("hello-later")]);
            string address = AddressOf(sandbox, "later");

            // The earlier container's /etc/hosts was rewritten in place: the bind mount shows the new line at once.
            Assert.Matches($@"(?m)^{Regex.Escape(address)}\s+later api$", sandbox.MiniRunOk("exec", "first", "cat", "/etc/hosts").Stdout);
            MiniRunCli.Result ping = sandbox.MiniRun("exec", "first", "ping", "-c1", "-W2", "later");
            Assert.True(ping.ExitCode == 0, ping.ToString());
            MiniRunCli.Result get = Eventually(() => sandbox.MiniRun("exec", "first", "wget", "-q", "-O-", "http://api/"));
            Assert.Equal((0, "hello-later\n"), (get.ExitCode, get.Stdout));

            sandbox.MiniRunOk("rm", "-f", "later");
            Assert.DoesNotContain(address, sandbox.MiniRunOk("exec", "first", "cat", "/etc/hosts").Stdout);
        }
        finally
        {
            sandbox.MiniRun("rm", "-f", "first", "later");
        }
    }

    [RootFact]
    public void Run_DefaultBridge_ReachesTheHostSideOnTheGateway()
    {
        using var sandbox = new NetworkSandbox();
        sandbox.LoadMinibox();
        string www = Path.Combine(sandbox.StoreRoot, "www");
        Directory.CreateDirectory(www);
        File.WriteAllText(Path.Combine(www, "index.html"), "hello-host\n");
        // On every address of the sandbox's own namespace: the bridge's too, once the first container made it.
        sandbox.Start("/bin/busybox", "httpd", "-f", "-p", "8000", "-h", www);

        MiniRunCli.Result run = sandbox.MiniRunWithDefault("", "run", "--rm", "--name", "out", "minibox", "sh", "-c",
            $"ip route | grep -q 'default via {Gateway} ' && ping -c1 -W2 {Gateway} >/dev/null && wget -q -O- http://{Gateway}:8000/");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("hello-host\n", run.Stdout);
        Assert.Contains($"\"Gateway\": \"{Gateway}\"", sandbox.MiniRunOk("network", "inspect", "bridge").Stdout);
    }

    [RootFact]
    public void Run_PublishedPorts_ServeOnLoopbackAndOnTheBridgeAddress()
    {
        using var sandbox = new NetworkSandbox();
        sandbox.LoadMinibox();
        try
        {
            sandbox.MiniRunOk(["run", "-d", "--name", "pub", "--network", "bridge", "-p", "127.0.0.1:8080:80", "-p", "8081:80", "minibox", .. Server("hello-pub")]);

            string ports = sandbox.MiniRunOk("port", "pub").Stdout;
            Assert.Contains("80/tcp -> 127.0.0.1:8080\n", ports);
            Assert.Contains("80/tcp -> 0.0.0.0:8081\n", ports);
            MiniRunCli.Result loopback = Eventually(() => HostGet(sandbox, "http://127.0.0.1:8080/"));
            Assert.Equal((0, "hello-pub\n"), (loopback.ExitCode, loopback.Stdout));
            MiniRunCli.Result bridge = HostGet(sandbox, $"http://{Gateway}:8081/");
            Assert.Equal((0, "hello-pub\n"), (bridge.ExitCode, bridge.Stdout));
            // 8080 is published on loopback only.
            Assert.NotEqual(0, HostGet(sandbox, $"http://{Gateway}:8080/").ExitCode);
        }
        finally
        {
            sandbox.MiniRun("rm", "-f", "pub");
        }
    }

    [RootFact]
    public void Run_PublishAllWithExpose_PicksAFreePort_PortPrintsIt_AndItServes()
    {
        using var sandbox = new NetworkSandbox();
        sandbox.LoadMinibox();
        try
        {
            sandbox.MiniRunOk(["run", "-d", "--name", "all", "--network", "bridge", "-P", "--expose", "80", "minibox", .. Server("hello-all")]);

            string ports = sandbox.MiniRunOk("port", "all").Stdout;
            Match published = Regex.Match(ports, @"^80/tcp -> 0\.0\.0\.0:(\d+)\n$");
            Assert.True(published.Success, ports);
            string port = published.Groups[1].Value;
            Assert.Equal($"0.0.0.0:{port}\n", sandbox.MiniRunOk("port", "all", "80/tcp").Stdout);
            MiniRunCli.Result get = Eventually(() => HostGet(sandbox, $"http://127.0.0.1:{port}/"));
            Assert.Equal((0, "hello-all\n"), (get.ExitCode, get.Stdout));
            Assert.Equal("hello-all\n", HostGet(sandbox, $"http://{Gateway}:{port}/").Stdout);
        }
        finally
        {
            sandbox.MiniRun("rm", "-f", "all");
        }
    }

    [RootFact]
    public void Run_NetworkContainer_SharesTheDonorsLoopbackAndAddress()
    {
        using var sandbox = new NetworkSandbox();
        sandbox.LoadMinibox();
        try
        {
            sandbox.MiniRunOk(["run", "-d", "--name", "web", "--network", "bridge", "minibox", .. Server("hello-donor")]);
            string address = AddressOf(sandbox, "web");

            MiniRunCli.Result joined = Eventually(() => sandbox.MiniRun("run", "--rm", "--network", "container:web", "minibox", "sh", "-c",
                "ip -4 -o addr show dev eth0 && wget -q -O- http://127.0.0.1/"));

            Assert.True(joined.ExitCode == 0, joined.ToString());
            Assert.Contains($"inet {address}/", joined.Stdout);
            Assert.EndsWith("hello-donor\n", joined.Stdout);
        }
        finally
        {
            sandbox.MiniRun("rm", "-f", "web");
        }
    }

    [RootFact]
    public void Run_ExplainOnBridge_ShowsThePluginCallsTheNetworksRulesAndTheirHandMadeEquivalents()
    {
        using var sandbox = new NetworkSandbox();
        sandbox.LoadMinibox();

        // The store's first bridged container: it makes the bridge, and with it the network's own rules.
        MiniRunCli.Result explained = sandbox.MiniRunWithDefault("", "run", "--rm", "--explain", "minibox", "true");

        Assert.True(explained.ExitCode == 0, explained.ToString());
        string[] lines = explained.Stderr.Split('\n');
        string[] calls = lines.Where(l => l.StartsWith("+ CNI_COMMAND=", StringComparison.Ordinal))
            .Select(l => Regex.Match(l, @"^\+ CNI_COMMAND=(\w+) .*/(\w+) <<")).Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}").ToArray();
        Assert.Equal(["ADD bridge", "ADD portmap", "DEL portmap", "DEL bridge"], calls); // ADD before the command runs, DEL after it
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^#\(done\) ip link add veth\w+ type veth peer name eth0 netns \S+ && ip link set veth\w+ master minirun0 up$"));
        Assert.Contains(lines, l => l.Contains($"ip addr add {Gateway}/16 dev minirun0"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"ip addr add 172\.17\.0\.\d+/16 dev eth0 && ip route add default via 172\.17\.0\.1"));
        // The network's rules, made before its first ADD (one listing per table, then each rule), then shown as by hand.
        const string comment = "-m comment --comment 'minirun network bridge'";
        string[] made = [
            $"+ /usr/sbin/iptables -w -t nat -A POSTROUTING -s 172.17.0.0/16 '!' -o minirun0 {comment} -j MASQUERADE",
            $"+ /usr/sbin/iptables -w -t filter -I FORWARD -o minirun0 -m conntrack --ctstate RELATED,ESTABLISHED,DNAT {comment} -j ACCEPT",
            $"+ /usr/sbin/iptables -w -t filter -I FORWARD -i minirun0 {comment} -j ACCEPT",
        ];
        int firstAdd = Array.FindIndex(lines, l => l.StartsWith("+ CNI_COMMAND=ADD ", StringComparison.Ordinal));
        foreach (string rule in made)
        {
            int at = Array.FindIndex(lines, l => Regex.Replace(l, @"^\+ \S+/iptables ", "+ /usr/sbin/iptables ") == rule);
            Assert.True(at >= 0 && at < firstAdd, $"not made before the first ADD: {rule}\n{explained.Stderr}");
        }
        Assert.Contains($"#(done) iptables -t filter -C FORWARD -i minirun0 {comment} -j ACCEPT || iptables -t filter -I FORWARD -i minirun0 {comment} -j ACCEPT", lines);
        Assert.Contains(lines, l => l.StartsWith("#(done) iptables -t filter -C FORWARD -o minirun0 -m conntrack --ctstate RELATED,ESTABLISHED,DNAT ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("firewall plugin", StringComparison.Ordinal));
    }
}
