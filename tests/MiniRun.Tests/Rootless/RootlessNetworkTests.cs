using System.Diagnostics;
using System.Globalization;
using System.Net;
using MiniRun.Containers;
using MiniRun.Fixtures.Registry;
using MiniRun.Tests.Support;

namespace MiniRun.Tests.Rootless;

/// <summary>
/// A rootless container's user-mode network (issue 20), as Podman's --network pasta: a namespace of its own with an
/// interface, the host's address and a default route, the host's loopback reached at the gateway's address, -p ports
/// bound on the host's loopback, and nothing left after rm (no pasta, no namespace mount). pasta needs /dev/net/tun
/// open to the user: <see cref="TunDeviceFixture"/> sets Debian's default mode (0666; this kind of machine has 0600)
/// before these tests and puts the original mode back after. Servers listen on the host's loopback only.
/// </summary>
[Collection(RootlessCollection.Name)]
public class RootlessNetworkTests(TunDeviceFixture tun) : IClassFixture<TunDeviceFixture>
{
    [RootFact]
    public void Run_DefaultNetwork_HasItsOwnInterfaceAddressAndDefaultRoute()
    {
        using var session = new RootlessSession(network: "");
        session.LoadMinibox();

        MiniRunCli.Result result = session.RunOk("run", "--rm", "--hostname", "rl-net", "minibox", "sh", "-c",
            "readlink /proc/self/ns/net; ip -4 -o addr show; ip route; cat /etc/resolv.conf; grep rl-net /etc/hosts");
        string[] lines = Lines(result.Stdout);

        string address = PastaNetwork.ContainerAddress()!;
        Assert.NotEqual(File.ResolveLinkTarget("/proc/self/ns/net", returnFinalTarget: false)!.ToString(), lines[0]);
        Assert.Contains(lines, l => l.Contains($"inet {address}/", StringComparison.Ordinal) && !l.Contains(" lo ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"default via {HostGateway()} ", StringComparison.Ordinal));
        Assert.Contains($"nameserver {PastaNetwork.DnsForward}", lines);
        Assert.Equal($"{address} rl-net", lines[^1]);
        Assert.Equal("", result.Stderr); // pasta says nothing when it works
        Assert.Empty(PastaProcesses(session));
        Assert.Empty(NamespaceMounts(session));
    }

    [RootFact]
    public void Run_StoreConfigNetworkNone_ChoosesOverTheRootlessDefault()
    {
        using var session = new RootlessSession(network: "");
        session.LoadMinibox();
        string config = Path.Combine(session.Store, NetworkChoice.StoreConfigFile);
        File.WriteAllText(config, "{\"network\": \"none\"}");
        File.SetUnixFileMode(config, (UnixFileMode)0x1a4); // 0644: the user reads it

        string links = session.RunOk("run", "--rm", "minibox", "ip", "-o", "link").Stdout;

        Assert.Equal(["lo"], Lines(links).Select(l => l.Split(' ')[1].TrimEnd(':')).ToArray());
    }

    [RootFact]
    public void Run_ServerOnTheHostsLoopback_IsReachedAtTheGatewaysAddress()
    {
        using var session = new RootlessSession(network: "pasta");
        session.LoadMinibox();
        string www = Path.Combine(session.Directory, "www");
        Directory.CreateDirectory(www);
        File.WriteAllText(Path.Combine(www, "index.html"), "from the host\n");
        int port = LocalRegistry.FreePort();
        using Process httpd = Process.Start("busybox", ["httpd", "-f", "-p", $"127.0.0.1:{port}", "-h", www]);
        try
        {
            WaitUntilServes($"http://127.0.0.1:{port}/");

            MiniRunCli.Result result = session.RunOk("run", "--rm", "minibox", "wget", "-q", "-O", "-", $"http://{HostGateway()}:{port}/");

            Assert.Equal("from the host\n", result.Stdout);
        }
        finally { httpd.Kill(); }
    }

    [RootFact]
    public void RunDetached_PublishedOnLoopback_ServesThere_PortPrintsIt_AndRmLeavesNothing()
    {
        using var session = new RootlessSession(network: "pasta");
        session.LoadMinibox();
        int port = LocalRegistry.FreePort();
        session.RunOk("run", "-d", "--name", "rl-web", "-p", $"127.0.0.1:{port}:80", "minibox", "sh", "-c",
            "mkdir /www && echo from the container > /www/index.html && exec httpd -f -p 80 -h /www");
        int pasta = PastaPid(session, "rl-web");
        uint pastaOwner = MiniRun.Native.Syscalls.TryStat($"/proc/{pasta}")!.Uid;

        string served = WaitUntilServes($"http://127.0.0.1:{port}/");
        string listed = session.RunOk("port", "rl-web").Stdout;
        session.RunOk("rm", "-f", "rl-web");

        Assert.Equal("from the container\n", served);
        Assert.Equal($"80/tcp -> 127.0.0.1:{port}\n", listed);
        Assert.Equal((uint)RootlessUsers.Ids(RootlessUsers.WithRange).Uid, pastaOwner); // the user's, never real root's
        Assert.True(Gone(pasta), $"pasta {pasta} outlived rm -f");
        Assert.Empty(PastaProcesses(session));
        Assert.Empty(NamespaceMounts(session));
    }

    [RootFact]
    public void Rm_AfterTheRunnerWasKilled_EndsPastaAndTheNamespace()
    {
        using var session = new RootlessSession(network: "pasta");
        session.LoadMinibox();
        session.RunOk("run", "-d", "--name", "rl-orphan", "minibox", "sleep", "300");
        int pasta = PastaPid(session, "rl-orphan");
        string state = File.ReadAllText(Path.Combine(ContainerDirectory(session, "rl-orphan"), "state.json"));
        int runner = int.Parse(System.Text.RegularExpressions.Regex.Match(state, "\"RunnerPid\": *([0-9]+)").Groups[1].Value, CultureInfo.InvariantCulture);

        Assert.True(MiniRun.Native.Syscalls.Kill(runner, MiniRun.Native.Signal.Kill));
        Assert.True(Gone(runner));
        session.RunOk("rm", "-f", "rl-orphan");

        Assert.True(Gone(pasta), $"pasta {pasta} outlived rm -f");
        Assert.Empty(NamespaceMounts(session));
    }

    [RootFact]
    public void Run_Explain_ShowsPastasCommandLine()
    {
        using var session = new RootlessSession(network: "pasta");
        session.LoadMinibox();

        MiniRunCli.Result result = session.RunOk("run", "--rm", "--explain", "-p", "127.0.0.1:8080:80", "minibox", "true");

        Assert.Contains(" --config-net --quiet --ipv4-only --netns $C/netns --pid $C/pasta.pid --dns-forward 169.254.1.1 -t 127.0.0.1/8080:80 -u none -T none -U none\n", result.Stderr);
        Assert.Contains("+ kill -9 ", result.Stderr);
    }

    [RootFact]
    public void Run_TunDeviceClosedToTheUser_IsRefusedInOneLineAndLeavesNothing()
    {
        using var session = new RootlessSession(network: "pasta");
        session.LoadMinibox();

        MiniRunCli.Result result;
        using (tun.Set((UnixFileMode)0x180)) // 0600, this machine's own
            result = session.Run("run", "--name", "rl-closed", "minibox", "true");
        string listed = session.RunOk("ps", "-aq").Stdout;

        Assert.Equal(125, result.ExitCode);
        Assert.Equal("minirun: --network pasta needs /dev/net/tun readable and writable by you (Debian's default mode is 0666; " +
            "as root: chmod 0666 /dev/net/tun), or run with --network host or none\n", result.Stderr);
        Assert.NotEqual("", listed); // the container was made, and stays, as Docker's when its start fails
        Assert.False(File.Exists(Path.Combine(ContainerDirectory(session, "rl-closed"), ContainerNetworking.NamespaceFile)));
        Assert.Empty(NamespaceMounts(session));
    }

    /// <summary>The default gateway of the host's network namespace, which pasta gives the container too.</summary>
    private static string HostGateway()
    {
        foreach (string line in File.ReadAllLines("/proc/net/route").Skip(1))
        {
            string[] fields = line.Split('\t', StringSplitOptions.TrimEntries);
            if (fields[1] == "00000000" && fields[7] == "00000000")
                return new IPAddress(BitConverter.GetBytes(uint.Parse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture))).ToString();
        }
        throw new InvalidOperationException("the host has no default route");
    }

    private static string ContainerDirectory(RootlessSession session, string name) =>
        Path.Combine(session.Store, "containers", session.RunOk("inspect", "-f", "{{.Id}}", name).Stdout.Trim());

    private static int PastaPid(RootlessSession session, string name) =>
        int.Parse(File.ReadAllText(Path.Combine(ContainerDirectory(session, name), PastaNetwork.PidFile)).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Gone, or a zombie waiting for the host's init (it holds no socket nor namespace then).</summary>
    private static bool Gone(int pid)
    {
        for (int i = 0; i < 100; i++)
        {
            string? stat = File.Exists($"/proc/{pid}/stat") ? TryRead($"/proc/{pid}/stat") : null;
            if (stat is null || stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) return true;
            Thread.Sleep(30);
        }
        return false;
    }

    /// <summary>Live pasta processes serving a namespace of this session's store.</summary>
    private static List<int> PastaProcesses(RootlessSession session) =>
        [.. Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!, CultureInfo.InvariantCulture))
            .Where(pid => TryRead($"/proc/{pid}/cmdline") is { } cmdline && cmdline.StartsWith("pasta\0", StringComparison.Ordinal)
                && cmdline.Contains(session.Store, StringComparison.Ordinal) && !Gone(pid))];

    /// <summary>Mounts under the store in the user's rootless mount namespace (the pause's), where the netns files are bound.</summary>
    private static List<string> NamespaceMounts(RootlessSession session) =>
        [.. File.ReadAllLines($"/proc/{session.PausePid}/mounts").Where(l => l.Contains(session.Store, StringComparison.Ordinal) && l.Contains("netns", StringComparison.Ordinal))];

    [RootFact]
    public void Doctor_TunDeviceOpen_NamesPastaAsTheDefaultNetwork()
    {
        using var session = new RootlessSession(network: "");

        string doctor = session.RunOk("doctor").Stdout;

        Assert.Matches(@"\nok    network      rootless containers' default network is pasta \(/\S+/pasta\), with -p; host and none too; bridges need root\n", doctor);
    }

    [RootFact]
    public void Doctor_TunDeviceClosed_WarnsThatPastaCannotRunWithTheFix()
    {
        using var session = new RootlessSession(network: "");

        string doctor;
        using (tun.Set((UnixFileMode)0x180)) // 0600, this machine's own
            doctor = session.Run("doctor").Stdout;

        Assert.Contains("\nwarn  network      pasta, rootless containers' default network, cannot run: --network pasta needs /dev/net/tun readable and writable by you " +
            "(Debian's default mode is 0666; as root: chmod 0666 /dev/net/tun), or run with --network host or none\n", doctor);
    }

    private static string? TryRead(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
    }

    /// <summary>The body of the page once it serves, within 10 s.</summary>
    private static string WaitUntilServes(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (int i = 0; ; i++)
        {
            try { return client.GetStringAsync(url).GetAwaiter().GetResult(); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && i < 100) { Thread.Sleep(100); }
        }
    }

    private static string[] Lines(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)))];
}
