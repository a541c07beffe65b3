using System.Security.Cryptography;
using MiniRun.Native;
using MiniRun.Networking.Cni;
using MiniRun.Store;

namespace MiniRun.Networking;

/// <summary>
/// The store's networks: networks/NAME.conflist each (CNI's format, so any CNI tool can read them), networks/results/
/// the kept ADD results, networks/ipam/ host-local's address records. Creating and removing hold networks/.lock, so two
/// creates at once cannot take one name or one subnet.
/// </summary>
public sealed class NetworkStore(StorePaths paths)
{
    private const string Extension = ".conflist";

    public string Directory => Path.Combine(paths.Root, "networks");
    public string ResultsDirectory => Path.Combine(Directory, "results");
    /// <summary>host-local's dataDir: it keeps one file per address given out, under ipam/NETWORK/.</summary>
    public string IpamDirectory => Path.Combine(Directory, "ipam");

    public CniResultCache Results => new(ResultsDirectory);

    /// <summary>The CNI engine over this store's kept results, its plugin calls through <paramref name="sys"/> (--explain shows them).</summary>
    public CniEngine Engine(ISyscalls? sys = null) => new(new CniPluginRunner(CniPluginPath.FromEnvironment(), sys), Results);

    public string FileOf(string name) => Path.Combine(Directory, name + Extension);

    /// <summary>`network create`: a bridge network with <paramref name="subnet"/> (else one Docker would pick) and <paramref name="gateway"/> (else its first address).</summary>
    public NetworkRecord Create(string name, string? subnet, string? gateway, IReadOnlyList<Ipv4Subnet> routes)
    {
        if (NetworkRecord.BuiltInNames.Contains(name)) throw new MiniRunException($"operation is not permitted on predefined {name} network");
        if (!NetworkConfigList.IsValidName(name))
            throw new InvalidInputException($"invalid network name \"{name}\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        if (gateway is not null && subnet is null) throw new InvalidInputException("every ip-range or gateway must have a corresponding subnet");
        Ipv4Subnet? asked = subnet is null ? null : Ipv4Subnet.Parse(subnet);
        uint? askedGateway = gateway is null ? null : Ipv4Subnet.ParseAddress(gateway) ?? throw new InvalidInputException($"invalid gateway address: {gateway}");
        if (askedGateway is { } g && !asked!.Value.Contains(g)) throw new InvalidInputException($"no matching subnet for gateway {gateway}");
        if (asked is { PrefixLength: > 30 } small) throw new InvalidInputException($"subnet {small} is too small: a network needs at least a /30");

        System.IO.Directory.CreateDirectory(Directory);
        using FileLock held = FileLock.Exclusive(Path.Combine(Directory, ".lock"));
        if (File.Exists(FileOf(name))) throw new MiniRunException($"network with name {name} already exists");
        List<Ipv4Subnet> taken = List().Where(n => n.Subnet is not null).Select(n => Ipv4Subnet.Parse(n.Subnet!)).ToList();
        Ipv4Subnet chosen;
        if (asked is { } s)
        {
            if (taken.Any(s.Overlaps)) throw new MiniRunException("invalid pool request: Pool overlaps with other one on this address space");
            chosen = s;
        }
        else chosen = SubnetChooser.Choose([.. taken, .. routes]);
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        NetworkConfigList config = BridgeConflist.Build(name, id, DateTimeOffset.UtcNow, chosen, askedGateway ?? chosen.FirstHost, IpamDirectory);
        AtomicFile.WriteAllBytes(FileOf(name), config.ToBytes(), mode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return NetworkRecord.FromConfig(config);
    }

    /// <summary>
    /// The default bridge's conflist, written at its first use as Docker makes docker0 at its start: bridge minirun0,
    /// Docker's 172.17.0.0/16 unless that is taken (a route of this namespace or another network), then the next free pool.
    /// </summary>
    public NetworkConfigList EnsureDefaultBridge(IReadOnlyList<Ipv4Subnet> routes)
    {
        string name = NetworkRecord.DefaultBridge;
        if (File.Exists(FileOf(name))) return LoadConfig(name);
        System.IO.Directory.CreateDirectory(Directory);
        using FileLock held = FileLock.Exclusive(Path.Combine(Directory, ".lock"));
        if (File.Exists(FileOf(name))) return LoadConfig(name);
        List<Ipv4Subnet> taken = [.. List().Where(n => n.Subnet is not null).Select(n => Ipv4Subnet.Parse(n.Subnet!)), .. routes];
        var docker0 = Ipv4Subnet.Parse("172.17.0.0/16");
        Ipv4Subnet chosen = taken.Any(docker0.Overlaps) ? SubnetChooser.Choose(taken) : docker0;
        NetworkConfigList config = BridgeConflist.Build(name, NetworkRecord.BuiltInId(name), DateTimeOffset.UtcNow, chosen, chosen.FirstHost, IpamDirectory,
            NetworkRecord.DefaultBridgeDevice);
        AtomicFile.WriteAllBytes(FileOf(name), config.ToBytes(), mode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return config;
    }

    /// <summary>A network's conflist for a container to attach to: the default bridge's is made at its first use.</summary>
    public NetworkConfigList ConfigFor(string name) =>
        name == NetworkRecord.DefaultBridge ? EnsureDefaultBridge(HostRoutes.Subnets()) : LoadConfig(name);

    /// <summary>The user-defined networks (conflists in the store), by name.</summary>
    public IReadOnlyList<NetworkRecord> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        return System.IO.Directory.EnumerateFiles(Directory, "*" + Extension)
            .Select(f => Path.GetFileName(f)[..^Extension.Length])
            .Where(n => NetworkConfigList.IsValidName(n) && !NetworkRecord.BuiltInNames.Contains(n))
            .Select(n => NetworkRecord.FromConfig(LoadConfig(n)))
            .OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Built-in and user-defined, sorted by name as `docker network ls` sorts them.</summary>
    public IReadOnlyList<NetworkRecord> ListAll() =>
        [.. NetworkRecord.BuiltInNames.Select(BuiltIn).Concat(List()).OrderBy(n => n.Name, StringComparer.Ordinal)];

    /// <summary>bridge (with its subnet once it has a conflist), host or none.</summary>
    public NetworkRecord BuiltIn(string name) =>
        name == NetworkRecord.DefaultBridge && File.Exists(FileOf(name)) ? NetworkRecord.FromConfig(LoadConfig(name)) with { Driver = "bridge" } : NetworkRecord.BuiltIn(name);

    public NetworkConfigList LoadConfig(string name)
    {
        if (!NetworkConfigList.IsValidName(name)) throw new NotFoundException($"No such network: {name}");
        string file = FileOf(name);
        string text;
        try { text = File.ReadAllText(file); }
        catch (FileNotFoundException) { throw new NotFoundException($"No such network: {name}"); }
        NetworkConfigList config = NetworkConfigList.Parse(text, file);
        if (config.Name != name) throw new InvalidInputException($"{file}: names network \"{config.Name}\", not \"{name}\"");
        return config;
    }

    /// <summary>A network by name, full ID or unique ID prefix, as Docker finds one.</summary>
    public NetworkRecord Resolve(string reference)
    {
        IReadOnlyList<NetworkRecord> all = ListAll();
        if (all.FirstOrDefault(n => n.Name == reference) is { } byName) return byName;
        List<NetworkRecord> byId = reference.Length > 0 ? all.Where(n => n.Id.StartsWith(reference, StringComparison.Ordinal)).ToList() : [];
        return byId.Count switch
        {
            1 => byId[0],
            0 => throw new NotFoundException($"No such network: {reference}"),
            _ => throw new MiniRunException($"network {reference} is ambiguous ({byId.Count} matches found based on ID prefix)"),
        };
    }

    /// <summary>`network rm`: refused for a predefined network and for one a container is attached to. Its bridge goes too, as
    /// Docker's does: the bridge plugin makes it at the first ADD and leaves it (with its address, a route) after the last DEL.</summary>
    public void Remove(NetworkRecord network, ISyscalls? sys = null)
    {
        if (network.IsBuiltIn) throw new MiniRunException($"{network.Name} is a pre-defined network and cannot be removed");
        using FileLock held = FileLock.Exclusive(Path.Combine(Directory, ".lock"));
        IReadOnlyList<string> attached = Results.ContainersOn(network.Name);
        if (attached.Count > 0) throw new MiniRunException($"error while removing network: network {network.Name} id {network.Id} has active endpoints ({string.Join(", ", attached)})");
        // Only the bridge `network create` named: a conflist written by hand may name one another tool uses (cni0).
        // Rootless: no container could attach, so there is neither bridge nor rule, and iptables would fail (no root).
        if (!RootlessMode.Active && network.Id.Length >= 12 && BridgeOf(network.Name) == BridgeConflist.BridgeName(network.Id))
            (sys ?? LinuxSyscalls.Instance).RemoveBridge(BridgeConflist.BridgeName(network.Id));
        if (!RootlessMode.Active && network.Config is { } config) NetworkRules.Remove(sys ?? LinuxSyscalls.Instance, config);
        File.Delete(FileOf(network.Name));
        // host-local's records for it: only its lock and last_reserved_ip are left once every container went.
        string ipam = Path.Combine(IpamDirectory, network.Name);
        if (System.IO.Directory.Exists(ipam)) DirectoryTree.Remove(ipam);
    }

    private string? BridgeOf(string name)
    {
        try { return LoadConfig(name).Plugins.FirstOrDefault(p => p["type"]?.ToString() == "bridge")?["bridge"]?.ToString(); }
        catch (MiniRunException) { return null; } // unreadable: it is removed all the same, its bridge (if any) left alone
    }

    /// <summary>`network prune` and `system prune`: every user-defined network no container is attached to; the names
    /// removed, and each one that could not be, with why (the others are still tried).</summary>
    public (List<string> Removed, List<(NetworkRecord Network, MiniRunException Error)> Failed) PruneUnused()
    {
        List<string> removed = [];
        List<(NetworkRecord, MiniRunException)> failed = [];
        foreach (NetworkRecord network in List().Where(n => !InUse(n)))
        {
            try
            {
                Remove(network);
                removed.Add(network.Name);
            }
            catch (MiniRunException e) { failed.Add((network, e)); }
        }
        return (removed, failed);
    }

    /// <summary>Whether any container is attached (has a kept result).</summary>
    public bool InUse(NetworkRecord network) => Results.ContainersOn(network.Name).Count > 0;
}
