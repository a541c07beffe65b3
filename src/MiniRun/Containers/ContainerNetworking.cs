using MiniRun.Networking;
using System.Text.Json.Nodes;
using MiniRun.Native;
using MiniRun.Networking.Cni;
using MiniRun.Store;

namespace MiniRun.Containers;

/// <summary>What the spec needs of a container's network: the namespace to join (null: a new one, or the host's) and
/// the directory whose hosts, hostname and resolv.conf are bound on /etc (null: the init layer's stay).</summary>
public sealed record NetworkJoin(string? NamespacePath, string? FilesDirectory)
{
    public static readonly NetworkJoin Own = new(null, null);
}

/// <summary>
/// A container's network for the time it runs, as Docker's sandbox and nerdctl's CNI set-up make it: a network
/// namespace of its own bind-mounted on containers/ID/netns (so that CNI plugins, a DEL after a crash and
/// `--network container:` have a path to it), a CNI ADD of each of its networks (eth0, eth1, …), then /etc/hosts,
/// /etc/hostname and /etc/resolv.conf written in its directory and bound in (they change while it runs: a peer's
/// arrival on a user-defined network adds a line). <see cref="Release"/> undoes it all, after a crash too.
/// </summary>
public sealed class ContainerNetworking(ContainerStore containers, ISyscalls? sys = null)
{
    public const string NamespaceFile = "netns";

    /// <summary>The files bound on /etc/NAME, each from the container's directory (Docker's HostsPath, HostnamePath, ResolvConfPath).</summary>
    public static readonly IReadOnlyList<string> Files = ["hosts", "hostname", "resolv.conf"];

    private readonly ISyscalls _sys = sys ?? LinuxSyscalls.Instance;
    private NetworkStore Networks => new(containers.Paths);

    /// <summary>Before the init stage gets its spec: the namespace, the CNI ADDs, the files; undone when any fails.</summary>
    public NetworkJoin Attach(Container container)
    {
        ContainerRecord record = container.Record;
        if (record.Network == NetworkMode.Container) return JoinDonor(record);
        if (record.Network == NetworkMode.Pasta) return AttachPasta(container);
        if (record.Network != NetworkMode.Bridge) return NetworkJoin.Own;
        string netns = NamespacePath(container.Directory);
        Release(containers.Paths, container.Id, container.Directory, _sys); // what a crash left: its addresses and rules go first
        _sys.CreateNetworkNamespace(netns);
        NetworkStore networks = Networks;
        FileLock held = LockHosts();
        try
        {
            CniEngine engine = Engine;
            for (int i = 0; i < record.Networks.Count; i++)
            {
                NetworkEndpoint endpoint = record.Networks[i];
                NetworkConfigList config;
                try { config = networks.ConfigFor(endpoint.Name); }
                catch (NotFoundException) { throw new NotFoundException($"network {endpoint.Name} not found"); }
                var runtime = new RuntimeConf(container.Id, netns, "eth" + i, CapabilityArgs(record, endpoint, first: i == 0, config));
                NetworkRules.EnsureForFirstContainer(_sys, config);
                JsonObject result = engine.Add(config, runtime);
                CniCommands.Describe(_sys, config, runtime, CniAddress.From(config.Name, runtime.IfName, result), result);
            }
            string[] own = [.. Addresses(containers.Paths, record.Id).Where(a => a.Address.Length > 0).Take(1).Select(a => a.Address)];
            WriteFiles(container.Record, container.Directory, own, record.Dns);
            RefreshPeers(record.Networks.Select(n => n.Name), except: container.Id);
        }
        catch
        {
            held.Dispose();
            Release(containers.Paths, container.Id, container.Directory, _sys);
            throw;
        }
        held.Dispose();
        return new NetworkJoin(netns, container.Directory);
    }

    /// <summary>
    /// --network pasta (rootless): the namespace, then pasta connecting it (<see cref="PastaNetwork"/>), then the files,
    /// with pasta's address and its DNS forwarder (unless --dns); undone when any fails.
    /// </summary>
    private NetworkJoin AttachPasta(Container container)
    {
        string netns = NamespacePath(container.Directory);
        Release(containers.Paths, container.Id, container.Directory, _sys); // what a crash left: its pasta and namespace
        string pasta = PastaNetwork.Program(); // its refusals before anything is made
        _sys.CreateNetworkNamespace(netns);
        try
        {
            PastaNetwork.Start(_sys, pasta, netns, container.Directory, container.Record.Ports);
            ContainerRecord record = container.Record;
            WriteFiles(record, container.Directory, PastaNetwork.ContainerAddress() is { } address ? [address] : [],
                record.Dns.Count > 0 ? record.Dns : [PastaNetwork.DnsForward]);
        }
        catch
        {
            Release(containers.Paths, container.Id, container.Directory, _sys);
            throw;
        }
        return new NetworkJoin(netns, container.Directory);
    }

    /// <summary>
    /// After the container's processes are gone (or a crash): a CNI DEL of each kept attachment, last first, with the
    /// config and result its ADD kept; then the namespace's mount and file; then its peers' /etc/hosts lose it. When
    /// every list's plugins release without the namespace and no running container has joined it, the namespace goes
    /// first and the DELs follow without it (<see cref="NamespaceFirstTeardown"/>: 17 ms less per bridged container),
    /// and the release waits until the kernel has removed the veth. Each step is a no-op when done already. A DEL that
    /// fails keeps its record, for `system check --repair` to retry.
    /// </summary>
    public static void Release(StorePaths paths, string containerId, string containerDirectory, ISyscalls? sys = null)
    {
        sys ??= LinuxSyscalls.Instance;
        var networks = new NetworkStore(paths);
        string netns = NamespacePath(containerDirectory);
        PastaNetwork.Stop(sys, containerDirectory, netns); // --network pasta's: before its namespace goes
        bool hasNamespace = File.Exists(netns);
        IReadOnlyList<(string Network, string IfName)> attachments = networks.Results.AttachmentsOf(containerId);
        if (attachments.Count == 0 && !hasNamespace) return;
        bool mounted = hasNamespace && OverlayMount.IsMounted(netns);
        List<CachedAttachment> kept = mounted && attachments.Count > 0 ? KeptResults(networks, attachments, containerId) : [];
        if (kept.Count > 0 && !HasJoiners(paths, containerId))
        {
            sys.Explain("the container's network namespace first: with its last reference the kernel removes its veth pair in the background, " +
                "and these plugins release the rest without it (CNI_NETNS empty, as after a crash)");
            UnmountNamespace(sys, netns);
            mounted = false;
        }
        else kept = [];
        MiniRunException? failure = null;
        CniEngine engine = networks.Engine(sys);
        foreach ((string network, string ifName) in attachments.Reverse())
        {
            try { engine.Del(network, null, new RuntimeConf(containerId, mounted ? netns : "", ifName)); }
            catch (MiniRunException e) { failure ??= e; }
        }
        if (File.Exists(netns))
        {
            sys.Explain("the container's network namespace: its last reference goes with the bind mount (its veth end and addresses go with it)");
            UnmountNamespace(sys, netns);
        }
        if (kept.Count > 0) NamespaceFirstTeardown.WaitUntilGone(kept.SelectMany(k => NamespaceFirstTeardown.HostInterfaces(k.Result)));
        if (attachments.Count > 0) new ContainerNetworking(new ContainerStore(paths), sys).RefreshPeers(attachments.Select(a => a.Network), except: containerId);
        if (failure is not null) throw new MiniRunException($"container {containerId[..Math.Min(12, containerId.Length)]}: its network was not released: {failure.Message}");
    }

    private static void UnmountNamespace(ISyscalls sys, string netns)
    {
        sys.Unmount(netns, UnmountFlags.Detach);
        sys.RemoveTree(netns);
    }

    /// <summary>The kept results when every one's plugins release without the namespace (<see cref="NamespaceFirstTeardown"/>); else none.</summary>
    private static List<CachedAttachment> KeptResults(NetworkStore networks, IReadOnlyList<(string Network, string IfName)> attachments, string containerId)
    {
        List<CachedAttachment> kept = [];
        foreach ((string network, string ifName) in attachments)
        {
            CachedAttachment? cached;
            try { cached = networks.Results.Read(network, containerId, ifName); }
            catch (InvalidInputException) { return []; }
            if (cached is null || !NamespaceFirstTeardown.Suffices(cached.Config)) return [];
            kept.Add(cached);
        }
        return kept;
    }

    /// <summary>A running container that joined this one's namespace (--network container:) keeps it alive: the veth would stay, its address freed.</summary>
    private static bool HasJoiners(StorePaths paths, string containerId)
    {
        var containers = new ContainerStore(paths);
        foreach (Container joiner in containers.List().Where(c => c.Record.Network == NetworkMode.Container && c.Id != containerId))
        {
            try
            {
                if (containers.TryResolve(joiner.Record.NetworkContainer!)?.Id == containerId && containers.IsRunning(joiner)) return true;
            }
            catch (MiniRunException) { return true; } // an ambiguous name: the safe answer
        }
        return false;
    }

    /// <summary>
    /// `network connect`: the network joins the container's record, and, when it is running, is attached now as its
    /// next interface (eth1, …), its /etc/hosts and its new peers' made anew. Docker's refusals for host, none, container:.
    /// </summary>
    public void Connect(Container container, NetworkEndpoint endpoint, bool running)
    {
        NetworkMode mode = container.Record.Network;
        if (mode == NetworkMode.Host) throw new MiniRunException("container cannot be disconnected from host network or connected to host network");
        if (mode is NetworkMode.None or NetworkMode.Container or NetworkMode.Pasta)
            throw new MiniRunException("container sharing network namespace with another container or host cannot be connected to any other network");
        if (container.Record.Networks.Any(n => n.Name == endpoint.Name))
            throw new MiniRunException($"endpoint with name {container.Name} already exists in network {endpoint.Name}");
        NetworkConfigList config = Networks.ConfigFor(endpoint.Name); // it exists, before the record names it
        string netns = NamespacePath(container.Directory);
        if (running && File.Exists(netns))
        {
            IReadOnlyList<(string Network, string IfName)> attached = Networks.Results.AttachmentsOf(container.Id);
            string ifName = Enumerable.Range(0, 64).Select(i => "eth" + i).First(n => attached.All(a => a.IfName != n));
            using FileLock held = LockHosts();
            var runtime = new RuntimeConf(container.Id, netns, ifName, CapabilityArgs(container.Record, endpoint, first: false, config));
            NetworkRules.EnsureForFirstContainer(_sys, config);
            JsonObject result = Engine.Add(config, runtime);
            CniCommands.Describe(_sys, config, runtime, CniAddress.From(config.Name, ifName, result), result);
            try { container = containers.Update(container, r => r with { Networks = [.. r.Networks, endpoint] }); }
            catch
            {
                Engine.Del(config.Name, config, runtime);
                throw;
            }
            Write(Path.Combine(container.Directory, "hosts"), HostsOf(container.Record, Addresses(containers.Paths, container.Id)));
            RefreshPeers([endpoint.Name], except: container.Id);
            return;
        }
        containers.Update(container, r => r with { Networks = [.. r.Networks, endpoint] });
    }

    /// <summary>`network disconnect`: the CNI DEL of that attachment when it is running, then the record, the /etc/hosts files.</summary>
    public void Disconnect(Container container, string network, bool running)
    {
        if (container.Record.Network == NetworkMode.Host) throw new MiniRunException("container cannot be disconnected from host network or connected to host network");
        if (container.Record.Networks.All(n => n.Name != network))
            throw new MiniRunException($"container {container.Id} is not connected to network {network}");
        using (LockHosts())
        {
            if (running)
                foreach ((string name, string ifName) in Networks.Results.AttachmentsOf(container.Id).Where(a => a.Network == network))
                    Engine.Del(name, null, new RuntimeConf(container.Id, NamespacePath(container.Directory), ifName));
            container = containers.Update(container, r => r with { Networks = r.Networks.Where(n => n.Name != network).ToList() });
            if (running && File.Exists(Path.Combine(container.Directory, "hosts")))
                Write(Path.Combine(container.Directory, "hosts"), HostsOf(container.Record, Addresses(containers.Paths, container.Id)));
            RefreshPeers([network], except: container.Id);
        }
    }

    private CniEngine Engine => Networks.Engine(_sys);

    /// <summary>One attach, connect or release at a time rewrites the peers' /etc/hosts: each sees the others' addresses.</summary>
    private FileLock LockHosts()
    {
        Directory.CreateDirectory(Networks.Directory);
        return FileLock.Exclusive(Path.Combine(Networks.Directory, ".hosts.lock"));
    }

    public static string NamespacePath(string containerDirectory) => Path.Combine(containerDirectory, NamespaceFile);

    /// <summary>What the container got on each network it is attached to now (empty when it is not running on one).</summary>
    public static IReadOnlyList<CniAddress> Addresses(StorePaths paths, string containerId) => new NetworkStore(paths).Results.AddressesOf(containerId);

    /// <summary>--network container:NAME: the donor must run; its namespace (its netns file, else its PID 1's) and its files.</summary>
    private NetworkJoin JoinDonor(ContainerRecord record)
    {
        Container donor = containers.Resolve(record.NetworkContainer!);
        ContainerStatus status = containers.Observe(donor);
        if (!status.Running) throw new MiniRunException($"cannot join network namespace of a non running container: container {donor.Id} is not running");
        if (donor.Record.Network == NetworkMode.Container)
            throw new MiniRunException($"cannot join network namespace of container {donor.Id}: it has joined another's (join that one)");
        string netns = NamespacePath(donor.Directory);
        bool own = File.Exists(netns);
        return new NetworkJoin(own ? netns : $"/proc/{status.Pid}/ns/net", own ? donor.Directory : null);
    }

    /// <summary>runtimeConfig for the plugins that ask (CNI conventions.md): portMappings on the first network, ips for --ip.</summary>
    private static JsonObject? CapabilityArgs(ContainerRecord record, NetworkEndpoint endpoint, bool first, NetworkConfigList config)
    {
        var args = new JsonObject();
        if (first && record.Ports.Count > 0) args["portMappings"] = PublishedPorts.CniPortMappings(record.Ports);
        if (endpoint.IPv4Address is { } ip)
        {
            string? subnet = NetworkRecord.FromConfig(config).Subnet;
            args["ips"] = new JsonArray(subnet is null ? ip : $"{ip}/{Ipv4Subnet.Parse(subnet).PrefixLength}");
        }
        return args.Count == 0 ? null : args;
    }

    /// <summary>hosts, hostname and resolv.conf in the container's directory, rewritten in place (a bind mount holds the inode).</summary>
    /// <param name="own">its address (the first network's), for its name in /etc/hosts.</param>
    /// <param name="nameservers">--dns, or the ones it can reach instead (empty: the host's, filtered).</param>
    private void WriteFiles(ContainerRecord record, string directory, IReadOnlyList<string> own, IReadOnlyList<string> nameservers)
    {
        _sys.Explain("/etc/hostname, bound from the container's directory (Docker's HostnamePath)");
        Write(Path.Combine(directory, "hostname"), NetworkFiles.Hostname(record.Hostname));
        _sys.Explain("/etc/resolv.conf: the host's (or --dns's), less nameservers on the host's loopback, which the container's namespace cannot reach");
        Write(Path.Combine(directory, "resolv.conf"),
            ContainerResolvConf.Build(ContainerResolvConf.ReadHostFile(hostNetwork: false), false, nameservers, record.DnsSearch, record.DnsOptions));
        _sys.Explain("/etc/hosts: localhost, --add-host, its peers on user-defined networks, and its own address and name");
        Write(Path.Combine(directory, "hosts"), ContainerHostsFile.Build(record.Hostname, own, Peers(record), record.ExtraHosts));
    }

    private void Write(string path, string content)
    {
        if (_sys.LStat(path) is null) NetworkFiles.Create(_sys, path, content);
        else NetworkFiles.RewriteInPlace(_sys, path, content);
    }

    private string HostsOf(ContainerRecord record, IReadOnlyList<CniAddress> own) =>
        ContainerHostsFile.Build(record.Hostname, [.. own.Where(a => a.Address.Length > 0).Take(1).Select(a => a.Address)], Peers(record), record.ExtraHosts);

    /// <summary>Every other container attached to one of its user-defined networks: address, name, aliases there.</summary>
    private List<HostsPeer> Peers(ContainerRecord record)
    {
        var results = Networks.Results;
        List<HostsPeer> peers = [];
        foreach (NetworkEndpoint endpoint in record.Networks.Where(e => e.Name != NetworkRecord.DefaultBridge))
            foreach (string id in results.ContainersOn(endpoint.Name).Where(id => id != record.Id).Order(StringComparer.Ordinal))
            {
                if (containers.TryResolve(id) is not { } peer) continue;
                foreach (CniAddress address in results.AddressesOf(id).Where(a => a.Network == endpoint.Name && a.Address.Length > 0))
                    peers.Add(new HostsPeer(address.Address, peer.Record.Name, peer.Record.Networks.FirstOrDefault(n => n.Name == endpoint.Name)?.Aliases ?? []));
            }
        return peers;
    }

    /// <summary>The /etc/hosts of each running container on <paramref name="networks"/> (user-defined ones), made anew.</summary>
    private void RefreshPeers(IEnumerable<string> networks, string except)
    {
        var results = Networks.Results;
        foreach (string id in networks.Where(n => n != NetworkRecord.DefaultBridge).Distinct().SelectMany(results.ContainersOn).Distinct())
            if (id != except && containers.TryResolve(id) is { } peer && File.Exists(Path.Combine(peer.Directory, "hosts")))
                NetworkFiles.RewriteInPlace(_sys, Path.Combine(peer.Directory, "hosts"), HostsOf(peer.Record, Addresses(containers.Paths, id)));
    }
}
