using System.Text.Json;
using System.Text.Json.Nodes;
using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Containers;
using MiniRun.Networking;
using MiniRun.Networking.Cni;

namespace MiniRun.Cli.Verbs;

/// <summary>
/// `network create|ls|inspect|rm|prune`: the store's CNI networks with Docker's output. Also attach-netns,
/// check-netns and detach-netns (not in the usage line): CNI ADD, CHECK and DEL of a network for any network
/// namespace, which is what `run` will do for a container, and what the networking tests drive in their sandbox.
/// </summary>
public sealed class NetworkVerb : IVerb
{
    public string Name => "network";
    public string Usage => "minirun network create [--subnet CIDR] [--gateway IP] NAME | ls [-q] [--no-trunc] | inspect NETWORK... | rm NETWORK... | " +
                           "connect [--ip IP] [--alias NAME] NETWORK CONTAINER | disconnect NETWORK CONTAINER | prune [-f]";
    public string Summary => "Manage networks: CNI bridge networks (a bridge, host-local addresses, NAT) that containers attach to";
    public VerbGroup Group => VerbGroup.Management;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("subnet", null, "CIDR", "create: the network's IPv4 subnet (default: the first free of 172.18.0.0/16 … 172.31.0.0/16, 192.168.0.0/20 …)"),
        OptionSpec.Value("gateway", null, "IP", "create: the bridge's address in the subnet (default: its first address)"),
        OptionSpec.Value("ip", null, "IPV4", "connect: the container's address on the network (default: the next free one)"),
        OptionSpec.Value("alias", null, "NAME", "connect: another name the container answers to on the network (repeatable)"),
        OptionSpec.Flag("quiet", 'q', "ls: only the IDs"),
        OptionSpec.Flag("no-trunc", null, "ls: full IDs"),
        OptionSpec.Flag("force", 'f', "prune: do not prompt for confirmation; disconnect: accepted, as Docker's"),
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("Make a network with a subnet of its own", "minirun network create --subnet 10.10.0.0/24 backend"),
        new("List the networks", "minirun network ls"),
        new("Show a network's subnet, gateway and attached containers", "minirun network inspect backend"),
        new("Attach a running container to a second network", "minirun network connect --alias db backend pg"),
        new("Remove the networks no container is attached to", "minirun network prune -f"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        var networks = new NetworkStore(context.Paths.EnsureCreated());
        string[] operands = args.Positionals.Skip(1).ToArray();
        switch (args.Positionals.FirstOrDefault())
        {
            case "create":
                if (operands.Length != 1) throw UsageException.Arguments("\"minirun network create\" requires exactly 1 argument: NAME");
                RefuseRootless("create");
                context.Out.WriteLine(networks.Create(operands[0], args.Get("subnet"), args.Get("gateway"), HostRoutes.Subnets()).Id);
                return 0;
            case "ls":
                if (operands.Length != 0) throw UsageException.Arguments("\"minirun network ls\" accepts no arguments");
                List(context, networks, args.Has("quiet"), args.Has("no-trunc"));
                return 0;
            case "inspect":
                if (operands.Length == 0) throw UsageException.Arguments("\"minirun network inspect\" requires at least 1 argument: NETWORK");
                return Inspect(context, networks, operands);
            case "rm":
                if (operands.Length == 0) throw UsageException.Arguments("\"minirun network rm\" requires at least 1 argument: NETWORK");
                return Remove(context, networks, operands);
            case "connect" or "disconnect":
                if (operands.Length != 2) throw UsageException.Arguments($"\"minirun network {args.Positionals[0]}\" requires exactly 2 arguments: NETWORK CONTAINER");
                if (args.Positionals[0] == "connect") RefuseRootless("connect");
                return Connect(context, networks, args.Positionals[0] == "connect", operands[0], operands[1], args);
            case "prune":
                if (operands.Length != 0) throw UsageException.Arguments("\"minirun network prune\" accepts no arguments");
                return Prune(context, networks, args.Has("force"));
            case "attach-netns" or "check-netns" or "detach-netns":
                return NetnsCommand(context, networks, args.Positionals[0], operands, "eth0");
            default:
                throw UsageException.Arguments("\"minirun network\" requires a subcommand: create, ls, inspect, rm, connect, disconnect or prune (see 'minirun network --help')");
        }
    }

    /// <summary>
    /// A user-defined network is a bridge with NAT rules in the host's network namespace, where a rootless minirun is no
    /// root: refused before anything is written (`run --network NAME` is refused the same way). ls, inspect, rm and prune
    /// still work, for the predefined networks and ones made before.
    /// </summary>
    private static void RefuseRootless(string subcommand)
    {
        if (RootlessMode.Active)
            throw new MiniRunException($"network {subcommand}: rootless containers cannot use bridge networks (they need root in the host's network namespace); " +
                                       "use --network pasta (the rootless default), host or none");
    }

    private static void List(CliContext context, NetworkStore networks, bool quiet, bool noTrunc)
    {
        IReadOnlyList<NetworkRecord> all = networks.ListAll();
        string Id(NetworkRecord n) => noTrunc ? n.Id : n.Id[..12];
        if (quiet)
        {
            foreach (NetworkRecord network in all) context.Out.WriteLine(Id(network));
            return;
        }
        var table = new Table("NETWORK ID", "NAME", "DRIVER", "SCOPE");
        foreach (NetworkRecord network in all) table.Add(Id(network), network.Name, network.Driver, "local");
        table.WriteTo(context.Out);
    }

    /// <summary>As docker network inspect: the ones found as one array, then an error line for each missing one (exit 1).</summary>
    private static int Inspect(CliContext context, NetworkStore networks, string[] references)
    {
        List<NetworkInspect> documents = [];
        List<string> missing = [];
        foreach (string reference in references)
        {
            try { documents.Add(Document(context, networks, networks.Resolve(reference))); }
            catch (NotFoundException e) { missing.Add(e.Message); }
        }
        context.Out.WriteLine(JsonSerializer.Serialize(documents, CliJsonContext.Default.ListNetworkInspect));
        foreach (string message in missing) ErrorPrinter.Print(message);
        return missing.Count == 0 ? 0 : 1;
    }

    private static NetworkInspect Document(CliContext context, NetworkStore networks, NetworkRecord network)
    {
        Dictionary<string, NetworkContainerInspect> containers = [];
        foreach (string id in networks.Results.ContainersOn(network.Name).Order(StringComparer.Ordinal))
            foreach (CniAddress address in networks.Results.AddressesOf(id).Where(a => a.Network == network.Name))
            {
                containers[id] = new NetworkContainerInspect
                {
                    Name = context.Containers.TryResolve(id)?.Record.Name ?? id, MacAddress = address.MacAddress,
                    IPv4Address = address.Address.Length == 0 ? "" : $"{address.Address}/{address.PrefixLength}",
                };
            }
        return new NetworkInspect
        {
            Name = network.Name, Id = network.Id, Created = network.Created.UtcDateTime, Driver = network.Driver,
            IPAM = new NetworkIpam
            {
                Config = network.Subnet is null ? [] : [new NetworkIpamConfig { Subnet = network.Subnet, Gateway = network.Gateway }],
                Options = network.IsBuiltIn ? null : [],
            },
            Containers = containers,
        };
    }

    /// <summary>network connect and disconnect: the network by name or ID, the container by name or ID; the running one changes at once.</summary>
    private static int Connect(CliContext context, NetworkStore networks, bool connect, string networkReference, string containerReference, ParsedArguments args)
    {
        NetworkRecord network = networks.Resolve(networkReference);
        Container container = context.Containers.Resolve(containerReference);
        bool running = context.Containers.Observe(container).Running;
        var networking = new ContainerNetworking(context.Containers);
        if (!connect)
        {
            networking.Disconnect(container, network.Name, running);
            return 0;
        }
        NetworkPlan plan = NetworkChoice.Resolve(network.Name, args.Get("ip"), args.GetAll("alias"), context.Paths, id => id);
        // host and none are no network to attach to: the daemon's refusals (moby runconfig/errors.go).
        if (plan.Networks.Count == 0)
            throw new MiniRunException(plan.Mode == NetworkMode.Host ? "container cannot be disconnected from host network or connected to host network"
                : "container cannot be connected to multiple networks with one of the networks in private (none) mode");
        networking.Connect(container, plan.Networks[0], running);
        return 0;
    }

    /// <summary>As docker network rm: each in turn, its name echoed when gone; a failure said and the rest still tried.</summary>
    private static int Remove(CliContext context, NetworkStore networks, string[] references)
    {
        int status = 0;
        foreach (string reference in references)
        {
            try
            {
                networks.Remove(networks.Resolve(reference));
                context.Out.WriteLine(reference);
            }
            catch (NotFoundException)
            {
                ErrorPrinter.Print($"network {reference} not found"); // the daemon's words, as docker network rm prints them
                status = 1;
            }
            catch (MiniRunException e)
            {
                ErrorPrinter.Print(e);
                status = 1;
            }
        }
        return status;
    }

    /// <summary>docker network prune: every user-defined network no container is attached to, after Docker's question unless -f.</summary>
    private static int Prune(CliContext context, NetworkStore networks, bool force)
    {
        if (!Confirmation.Ask("WARNING! This will remove all custom networks not used by at least one container.", force)) return 0;
        (List<string> deleted, var failed) = networks.PruneUnused();
        foreach ((_, MiniRunException e) in failed) ErrorPrinter.Print(e);
        PruneOutput.Section(context.Out, "Deleted Networks:", deleted);
        return failed.Count == 0 ? 0 : 1;
    }

    /// <summary>attach-netns prints the CNI result; check-netns and detach-netns print nothing when all went well.</summary>
    private static int NetnsCommand(CliContext context, NetworkStore networks, string command, string[] operands, string ifName)
    {
        if (operands.Length != 3) throw UsageException.Arguments($"\"minirun network {command}\" requires exactly 3 arguments: NETWORK NETNS_PATH CONTAINER_ID");
        (string name, string netns, string containerId) = (operands[0], operands[1], operands[2]);
        CniEngine engine = networks.Engine();
        var runtime = new RuntimeConf(containerId, netns, ifName);
        switch (command)
        {
            case "attach-netns":
                NetworkConfigList added = networks.LoadConfig(name);
                NetworkRules.EnsureForFirstContainer(context.Syscalls, added); // its NAT and forwarding, as run's first container makes them
                context.Out.WriteLine(engine.Add(added, runtime).ToJsonString());
                break;
            case "check-netns":
                engine.Check(name, runtime);
                break;
            default:
                // The conflist may be gone (removed by hand): the kept result then holds the config the ADD used.
                NetworkConfigList? config = File.Exists(networks.FileOf(name)) ? networks.LoadConfig(name) : null;
                engine.Del(name, config, runtime);
                break;
        }
        return 0;
    }
}
