using System.Globalization;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>
/// A rootless container's network, as Podman's `--network pasta`: a network namespace of its own, bind-mounted on
/// containers/ID/netns like a bridged container's, connected to the host's by pasta(1). pasta runs outside it, as root
/// of the user's user namespace (never as real root) in the host's network namespace: it gives the namespace a tap
/// interface with the host's address, routes and MTU copied (--config-net), answers DNS queries sent to
/// <see cref="DnsForward"/> from the host's resolvers, maps the gateway's address to the host's loopback, and binds each
/// -p port on the host and forwards it in. It daemonizes once the interface is up, its PID in containers/ID/pasta.pid,
/// which the teardown kills (it also quits by itself within a second when the namespace's file goes: it watches it).
/// </summary>
public static class PastaNetwork
{
    public const string Name = "pasta";
    public const string PidFile = "pasta.pid";

    /// <summary>Podman 5's address for pasta's DNS forwarder: link-local, routed to pasta through the default route.</summary>
    public const string DnsForward = "169.254.1.1";

    /// <summary>The device pasta opens in the namespace: it needs read and write for the user (Debian's mode is 0666).</summary>
    public const string TunDevice = "/dev/net/tun";

    /// <summary>
    /// pasta's arguments. Its default forwards every port bound on either side ("auto", both ways); Docker's publishes
    /// only what -p says, so each direction is "none" but for the -p bindings (HOST_IP/HOST_PORT:PORT, pasta(1) -t).
    /// IPv4 only, as minirun's bridges (Docker's without --ipv6): pasta's start is also shorter without IPv6's set-up.
    /// </summary>
    public static List<string> Arguments(string netns, string pidFile, IReadOnlyList<PortBinding> ports)
    {
        foreach (PortBinding port in ports)
            if (port.Protocol is not ("tcp" or "udp"))
                throw new MiniRunException($"cannot publish {port.Key} with --network pasta: pasta forwards tcp and udp ports only");
        List<string> argv = ["pasta", "--config-net", "--quiet", "--ipv4-only", "--netns", netns, "--pid", pidFile, "--dns-forward", DnsForward];
        foreach ((string flag, string protocol) in new[] { ("-t", "tcp"), ("-u", "udp") })
        {
            List<string> specs = [.. ports.Where(p => p.Protocol == protocol).Select(Forward)];
            if (specs.Count == 0) argv.AddRange([flag, "none"]);
            else foreach (string spec in specs) argv.AddRange([flag, spec]);
        }
        argv.AddRange(["-T", "none", "-U", "none"]);
        return argv;
    }

    /// <summary>Whether the user may open the tun device: root of a user namespace has no power over the host root's 0600 file.</summary>
    public static bool TunUsable(FileStatus? tun) => tun is not null && (tun.Permissions & 0x6) == 0x6;

    /// <summary>
    /// Runs pasta (<paramref name="program"/>, from <see cref="Program"/>) for the namespace at <paramref name="netns"/>;
    /// it returns once the interface is configured and pasta has gone to the background.
    /// </summary>
    public static void Start(ISyscalls sys, string program, string netns, string containerDirectory, IReadOnlyList<PortBinding> ports)
    {
        List<string> argv = Arguments(netns, Path.Combine(containerDirectory, PidFile), ports);
        sys.Explain("pasta: the namespace's interface (the host's address and default route), DNS through the host, -p ports bound " +
            "on the host; it runs as you, outside the container, until the teardown kills it (its PID in pasta.pid)");
        (int status, _) = sys.RunProgram(program, argv, [], []);
        if (status != 0)
            throw new MiniRunException($"pasta could not connect the container's network namespace (exit status {status}, its message above): " +
                "check the -p ports are free, or run with --network host or none");
    }

    /// <summary>The pasta program, after the checks that would make it fail with a less helpful message.</summary>
    public static string Program()
    {
        if (!TunUsable(Syscalls.TryStat(TunDevice)))
            throw new MiniRunException($"--network pasta needs {TunDevice} readable and writable by you (Debian's default mode is 0666; " +
                $"as root: chmod 0666 {TunDevice}), or run with --network host or none");
        return ExecutableSearch.FindOnHost(Name)
            ?? throw new MiniRunException("pasta is not installed: rootless containers' network needs it (apt-get install passt), or run with --network host or none");
    }

    /// <summary>
    /// Ends the container's pasta, when its PID file names a pasta serving this namespace (a recycled PID is left
    /// alone), and waits until it is gone; the file goes too. Returns whether there was one.
    /// </summary>
    public static bool Stop(ISyscalls sys, string containerDirectory, string netns)
    {
        string pidFile = Path.Combine(containerDirectory, PidFile);
        if (KernelFiles.TryReadAll(pidFile) is not { } text) return false;
        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && Serves(pid, netns))
        {
            sys.Describe($"kill -9 {pid.ToString(CultureInfo.InvariantCulture)}", "the container's pasta goes before its namespace", alreadyDone: false);
            Syscalls.Kill(pid, Signal.Kill);
            for (int i = 0; i < 200 && HostProcess.Find(pid) is not null; i++) Thread.Sleep(5);
        }
        sys.RemoveTree(pidFile);
        return true;
    }

    /// <summary>Whether the process is a pasta given this namespace (its command line, /proc/PID/cmdline).</summary>
    private static bool Serves(int pid, string netns)
    {
        string[] argv = (KernelFiles.TryReadAll($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline") ?? "").Split('\0');
        return argv.Length > 2 && Path.GetFileName(argv[0]) == Name && argv.Contains(netns);
    }

    /// <summary>
    /// The address pasta gives the container: the first IPv4 address of the interface of the host's first default
    /// route (/proc/net/route), as pasta picks its template; null without a default route.
    /// </summary>
    public static string? ContainerAddress()
    {
        string? name = DefaultRouteInterface(KernelFiles.TryReadAll("/proc/net/route") ?? "");
        if (name is null) return null;
        NetworkInterface? template = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == name);
        return template?.GetIPProperties().UnicastAddresses.FirstOrDefault(a => a.Address.AddressFamily == AddressFamily.InterNetwork)?.Address.ToString();
    }

    /// <summary>The interface of the first route with destination and mask 0 in /proc/net/route's text (proc(5)).</summary>
    public static string? DefaultRouteInterface(string table)
    {
        foreach (string line in table.Split('\n').Skip(1))
        {
            string[] fields = line.Split('\t', StringSplitOptions.TrimEntries);
            if (fields.Length >= 8 && fields[1] == "00000000" && fields[7] == "00000000") return fields[0];
        }
        return null;
    }

    private static string Forward(PortBinding port) =>
        (port.HostIp == PublishedPorts.AnyAddress ? "" : port.HostIp + "/") + $"{port.HostPort.ToString(CultureInfo.InvariantCulture)}:{port.Port.ToString(CultureInfo.InvariantCulture)}";
}
