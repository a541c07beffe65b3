using System.Text.Json;
using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Cli.Output.Templates;
using MiniRun.Containers;
using MiniRun.Images;
using MiniRun.Networking.Cni;
using MiniRun.Runtime.Spec;

namespace MiniRun.Cli.Verbs;

public sealed class InspectVerb : IVerb
{
    public string Name => "inspect";
    public string Usage => "minirun inspect [-f TEMPLATE] NAME|ID [NAME|ID...]";
    public string Summary => "Show a container's or an image's details as JSON, with its overlay directories";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("type", null, "container|image", "Only look for this kind of object"),
        OptionSpec.Value("format", 'f', "TEMPLATE", "Format output using a Go template ({{.State.Pid}}, {{json .Config}})"),
        OptionSpec.Flag("spec", null, "Print each container's OCI runtime spec instead: the config.json its last start ran"),
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("A container's or an image's record, as JSON", "minirun inspect web"),
        new("One field, with a Go template", "minirun inspect -f '{{.State.Pid}}' web"),
        new("The OCI runtime spec (config.json) of the container's last start", "minirun inspect --spec web"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count == 0) throw UsageException.Arguments("\"minirun inspect\" requires at least 1 argument (see 'minirun inspect --help')");
        string? type = args.Get("type");
        if (args.Has("spec")) return PrintSpecs(args.Positionals, context);
        GoTemplate? template = null;
        if (args.Get("format") is { Length: > 0 } format && (template = InspectTemplate.Parse(format)) is null) return InspectTemplate.ParseFailure;
        var documents = new List<JsonElement>(); // in the order asked, for --format
        var containers = new List<ContainerInspect>();
        var images = new List<ImageInspect>();
        int status = 0;
        foreach (string name in args.Positionals)
        {
            if (type != "image" && context.Containers.TryResolve(name) is { } container)
            {
                containers.Add(Describe(container, context));
                if (template is not null) documents.Add(JsonSerializer.SerializeToElement(containers[^1..], CliJsonContext.Default.ListContainerInspect)[0]);
            }
            else if (type != "container" && context.Images.TryResolve(name) is { } image)
            {
                images.Add(Describe(image, context));
                if (template is not null) documents.Add(JsonSerializer.SerializeToElement(images[^1..], CliJsonContext.Default.ListImageInspect)[0]);
            }
            else
            {
                ErrorPrinter.Print(type switch { "container" => "No such container: ", "image" => "No such image: ", _ => "No such object: " } + name);
                status = 1;
            }
        }
        if (template is not null) return InspectTemplate.Write(template, documents, context.Out) ? status : 1;
        // Docker prints one array; MiniRun prints one per kind present, containers first.
        if (containers.Count > 0 || images.Count == 0) context.Out.WriteLine(JsonSerializer.Serialize(containers, CliJsonContext.Default.ListContainerInspect));
        if (images.Count > 0) context.Out.WriteLine(JsonSerializer.Serialize(images, CliJsonContext.Default.ListImageInspect));
        return status;
    }

    /// <summary>The config.json in each container's directory (a bundle: `runc run` could run it while the overlay is mounted).</summary>
    private static int PrintSpecs(IReadOnlyList<string> names, CliContext context)
    {
        int status = 0;
        foreach (string name in names)
        {
            string? config = context.Containers.TryResolve(name) is { } container ? Path.Combine(container.Directory, OciSpecJson.FileName) : null;
            if (config is null) ErrorPrinter.Print($"No such container: {name}");
            else if (!File.Exists(config)) ErrorPrinter.Print($"container {name} has no config.json (an older minirun made it and did not write one): start it once");
            else
            {
                context.Out.Write(File.ReadAllText(config));
                continue;
            }
            status = 1;
        }
        return status;
    }

    private static ContainerInspect Describe(Container container, CliContext context)
    {
        ContainerRecord record = container.Record;
        ContainerStatus status = context.Containers.Observe(container);
        ContainerState state = status.State;
        bool running = status.Running;
        return new ContainerInspect
        {
            Id = record.Id,
            Created = record.Created,
            Path = record.Args[0],
            Args = record.Args.Skip(1).ToList(),
            State = new StateInspect
            {
                // Docker counts a restarting container as running (moby's SetRestarting), with no PID meanwhile.
                Status = status.Paused ? "paused" : status.Status.Name(), Running = running || status.Restarting, Paused = status.Paused,
                Restarting = status.Restarting, Pid = status.Pid, Dead = status.Status == StateStatus.Dead, ExitCode = state.ExitCode,
                OOMKilled = state.OomKilled, Error = state.Error ?? "", StartedAt = state.StartedAt, FinishedAt = state.FinishedAt,
            },
            Image = record.ImageId,
            Name = "/" + record.Name,
            RestartCount = state.RestartCount,
            Driver = context.Snapshotter.Driver.DisplayName,
            LogPath = File.Exists(container.LogPath) ? container.LogPath : "",
            // overlay: every lower directory in its order, the --layer links first, as `minirun mount` prints them; vfs: null, as Docker's.
            GraphDriver = new GraphDriverInspect { Name = context.Snapshotter.Driver.DisplayName, Data = context.Snapshotter.Driver.GraphDriverData(container) },
            Config = new ContainerConfigInspect
            {
                Hostname = record.Hostname, User = record.User, Env = record.Env, Cmd = record.Args, Image = record.ImageName, WorkingDir = record.WorkingDir,
                StopSignal = record.StopSignal, StopTimeout = record.StopTimeout,
                Labels = record.Labels,
            },
            NetworkSettings = NetworkSettings(context, container, running),
            Mounts = record.Mounts.Select(m => new MountInspect
            {
                Type = m.Type, Name = m.Type == ContainerMount.Volume ? m.Name : null, Source = m.Source, Destination = m.Destination,
                Driver = m.Type == ContainerMount.Volume ? "local" : null, Mode = m.Type == ContainerMount.Bind ? (m.ReadOnly ? "ro" : "") : m.Type == ContainerMount.Volume ? "z" : "",
                RW = !m.ReadOnly, Propagation = m.Type == ContainerMount.Bind ? "rprivate" : "",
            }).ToList(),
            HostConfig = new HostConfigInspect
            {
                NetworkMode = NetworkModeOf(record), AutoRemove = record.AutoRemove,
                RestartPolicy = new RestartPolicyInspect { Name = record.RestartPolicy.Name, MaximumRetryCount = record.RestartPolicy.MaximumRetryCount }, Chroot = record.UseChroot, ExtraLayers = record.ExtraLayers,
                Memory = record.Resources.MemoryBytes ?? 0, MemorySwap = record.Resources.MemoryBytes ?? 0,
                NanoCpus = (long)((record.Resources.Cpus ?? 0) * 1e9), CpuShares = record.Resources.CpuShares ?? 0,
                PidsLimit = record.Resources.PidsLimit ?? 0, CapAdd = record.Security.CapAdd, CapDrop = record.Security.CapDrop,
                Privileged = record.Security.Privileged, ReadonlyRootfs = record.Security.ReadOnlyRootfs,
                SecurityOpt = record.Security.NoNewPrivileges ? ["no-new-privileges"] : [],
                PidMode = record.Namespaces.Pid, IpcMode = record.Namespaces.Ipc, UTSMode = record.Namespaces.Uts, ShmSize = record.Namespaces.ShmSize,
            },
        };
    }

    /// <summary>Docker's HostConfig.NetworkMode: host, none, bridge, the user-defined network's name, container:ID.</summary>
    public static string NetworkModeOf(ContainerRecord record) => record.Network switch
    {
        NetworkMode.Bridge => record.Networks.FirstOrDefault()?.Name ?? "bridge",
        NetworkMode.Container => "container:" + record.NetworkContainer,
        _ => record.Network.ToString().ToLowerInvariant(),
    };

    /// <summary>What a running container got from its networks' plugins (the kept CNI results); the asked-for endpoints when it is not running.</summary>
    private static NetworkSettingsInspect NetworkSettings(CliContext context, Container container, bool running)
    {
        ContainerRecord record = container.Record;
        IReadOnlyList<CniAddress> addresses = running ? ContainerNetworking.Addresses(context.Paths, record.Id) : [];
        var networks = new Networking.NetworkStore(context.Paths);
        Dictionary<string, EndpointInspect> endpoints = [];
        foreach (Containers.NetworkEndpoint endpoint in record.Networks)
        {
            CniAddress? got = addresses.FirstOrDefault(a => a.Network == endpoint.Name);
            bool userDefined = endpoint.Name != Networking.NetworkRecord.DefaultBridge;
            endpoints[endpoint.Name] = new EndpointInspect
            {
                IPAMConfig = endpoint.IPv4Address is null ? null : new EndpointIpamInspect { IPv4Address = endpoint.IPv4Address },
                Aliases = userDefined ? [.. endpoint.Aliases] : null,
                NetworkID = TryNetworkId(networks, endpoint.Name), MacAddress = got?.MacAddress ?? "", Gateway = got?.Gateway ?? "",
                IPAddress = got?.Address ?? "", IPPrefixLen = got?.PrefixLength ?? 0,
                DNSNames = userDefined ? [record.Name, .. endpoint.Aliases, record.Id[..12]] : null,
            };
        }
        if (record.Network is NetworkMode.Host or NetworkMode.None or NetworkMode.Pasta) endpoints[record.Network.ToString().ToLowerInvariant()] = new EndpointInspect
        {
            NetworkID = TryNetworkId(networks, record.Network.ToString().ToLowerInvariant()),
        };
        CniAddress? bridge = addresses.FirstOrDefault(a => a.Network == Networking.NetworkRecord.DefaultBridge);
        string netns = ContainerNetworking.NamespacePath(container.Directory);
        return new NetworkSettingsInspect
        {
            SandboxID = running && File.Exists(netns) ? record.Id : "", SandboxKey = running && File.Exists(netns) ? netns : "",
            Ports = running ? record.Ports.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => (List<PortBindingInspect>?)
                g.Select(p => new PortBindingInspect { HostIp = p.HostIp, HostPort = p.HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToList()) : [],
            Gateway = bridge?.Gateway ?? "", IPAddress = bridge?.Address ?? "", IPPrefixLen = bridge?.PrefixLength ?? 0, MacAddress = bridge?.MacAddress ?? "",
            Networks = endpoints,
        };
    }

    private static string TryNetworkId(Networking.NetworkStore networks, string name)
    {
        try { return networks.Resolve(name).Id; }
        catch (MiniRunException) { return ""; }
    }

    private static ImageInspect Describe(ImageRecord image, CliContext context)
    {
        return new ImageInspect
        {
            Id = image.Id.ToString(),
            RepoTags = image.Names.Select(n => ImageReference.Parse(n).FamiliarString).ToList(),
            RepoDigests = image.RepoDigests.ToList(),
            Created = image.Config.Created,
            Architecture = image.Config.Architecture,
            Os = image.Config.Os,
            Size = image.Size,
            Config = image.Config.Config,
            GraphDriver = new GraphDriverInspect { Name = context.Snapshotter.Driver.DisplayName, Data = context.Snapshotter.Driver.ImageGraphDriverData(image.DiffIds) },
            RootFS = new RootFsInspect { Layers = image.DiffIds.Select(d => d.ToString()).ToList() },
        };
    }
}
