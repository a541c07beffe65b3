using System.Globalization;
using MiniRun.Runtime.Lifecycle;
using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Containers;
using MiniRun.Explain;
using MiniRun.Images;
using MiniRun.Images.Registry;
using MiniRun.Native;
using MiniRun.Sandbox;

namespace MiniRun.Cli.Verbs;

public sealed class RunVerb : IVerb
{
    public string Name => "run";
    public string Usage => "minirun run [OPTIONS] IMAGE [COMMAND] [ARG...]";
    public string Summary => "Create and run a new container from an image";
    public VerbGroup Group => VerbGroup.Common;
    public int FailureStatus => 125;
    public bool StopAtFirstPositional => true;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("detach", 'd', "Run in the background (a supervisor records the exit), print the container ID; output goes to `minirun logs` and `minirun attach`"),
        OptionSpec.Flag("rm", null, "Remove the container (upper dir, mount, record) when it exits"),
        OptionSpec.Value("restart", null, "POLICY", "no, on-failure[:N], always, unless-stopped: the supervisor starts it again (not after a reboot: no daemon; see generate systemd)"),
        OptionSpec.Value("stop-signal", null, "SIGNAL", "Signal `stop` sends to PID 1 (default: the image's StopSignal, else SIGTERM)"),
        OptionSpec.Value("name", null, "NAME", "Assign a name to the container"),
        OptionSpec.Value("env", 'e', "K=V", "Set an environment variable (repeatable; K alone copies it from here)"),
        OptionSpec.Value("device", null, "HOST[:CTR[:rwm]]", "Give the container a host device node, with these permissions (repeatable)"),
        OptionSpec.Value("add-host", null, "NAME:IP", "Add a line to the container's /etc/hosts (repeatable)"),
        OptionSpec.Value("dns", null, "IP", "Set a nameserver of the container's /etc/resolv.conf, instead of the host's (repeatable)"),
        OptionSpec.Value("dns-search", null, "DOMAIN", "Set a search domain of the container's /etc/resolv.conf (repeatable; \".\" for none)"),
        OptionSpec.Value("dns-option", null, "OPT", "Set an option of the container's /etc/resolv.conf, e.g. ndots:2 (repeatable)"),
        OptionSpec.Flag("init", null, "Run a small init (tini, Docker's docker-init) as PID 1: it reaps zombies and passes signals on"),
        OptionSpec.Value("ulimit", null, "NAME=SOFT[:HARD]", "A resource limit (nofile=1024:2048, core=-1 for unlimited) (repeatable)"),
        OptionSpec.Value("env-file", null, "FILE", "Read environment variables from FILE: K=V or K lines, # comments (repeatable; -e wins)"),
        OptionSpec.Value("workdir", 'w', "DIR", "Working directory inside the container"),
        OptionSpec.Value("user", 'u', "USER[:GROUP]", "User name or UID, optionally with a group"),
        OptionSpec.Value("hostname", 'h', "NAME", "Container host name (default: the short container ID)"),
        OptionSpec.Value("entrypoint", null, "CMD", "Override the image's entrypoint (\"\" clears it)"),
        OptionSpec.Value("network", null, "bridge|host|none", "bridge (default: minirun0, NAT), a network's name, host, none (only lo), or container:NAME (its namespace); rootless: pasta (the default, user-mode), host, none"),
        OptionSpec.Value("network-alias", null, "NAME", "Another name the container answers to on its user-defined network (repeatable)"),
        OptionSpec.Value("ip", null, "IPV4", "The container's address on its user-defined network (default: the next free one)"),
        OptionSpec.Value("publish", 'p', "[IP:][HOST:]PORT", "Publish a container's port on the host (8080:80, 127.0.0.1::53/udp, 8000-8010:80-90); no HOST: a free one (repeatable)"),
        OptionSpec.Flag("publish-all", 'P', "Publish every exposed port (the image's EXPOSE, --expose) on a free host port"),
        OptionSpec.Value("expose", null, "PORT[/PROTO]", "Expose a port or a range of ports (8000-8010/udp) without publishing it; -P publishes it (repeatable)"),
        OptionSpec.Value("pid", null, "host", "host: the host's PID namespace (the container sees, and may signal, every process)"),
        OptionSpec.Value("ipc", null, "MODE", "IPC namespace: private (default), shareable, none (no /dev/shm), host, or container:NAME (a shareable one's)"),
        OptionSpec.Value("uts", null, "host", "host: the host's UTS namespace and host name (no --hostname then)"),
        OptionSpec.Value("shm-size", null, "SIZE", "Size of /dev/shm (default 64m)"),
        OptionSpec.Value("label", 'l', "K=V", "Set a label on the container, over the image's (repeatable)"),
        OptionSpec.Value("label-file", null, "FILE", "Read labels from FILE: K=V lines, # comments (repeatable; -l wins)"),
        OptionSpec.Value("cidfile", null, "FILE", "Write the container's ID to FILE (which must not exist)"),
        OptionSpec.Flag("chroot", null, "Enter the root with chroot(2) instead of pivot_root(2), as the classic walkthrough"),
        OptionSpec.Value("layer", null, "DIR", "Extra lower directory above the init layer (repeatable, first is top)"),
        OptionSpec.Value("volume", 'v', "SRC:DST[:ro]", "Bind a host directory (absolute SRC, made if missing) or a named volume; -v DST: an anonymous volume (repeatable)"),
        OptionSpec.Value("mount", null, "type=…,src=…,dst=…", "A bind, volume or tmpfs mount, Docker's --mount syntax (repeatable)"),
        OptionSpec.Value("tmpfs", null, "DST[:OPTS]", "A tmpfs at DST (noexec,nosuid,nodev unless OPTS say; size=64m, mode=1777) (repeatable)"),
        OptionSpec.Flag("interactive", 'i', "Keep stdin open: it goes to the container (with -d, from `minirun attach`); without -i, stdin is /dev/null"),
        OptionSpec.Flag("tty", 't', "Allocate a pseudo-terminal of the container's own (TERM=xterm); this terminal is raw meanwhile"),
        OptionSpec.Value("memory", 'm', "SIZE", "Memory limit (e.g. 32m); swap is limited to the same total"),
        OptionSpec.Value("pids-limit", null, "N", "Maximum number of processes (-1: unlimited)"),
        OptionSpec.Value("cpus", null, "F", "Number of CPUs (e.g. 0.5): a CFS quota per 100 ms"),
        OptionSpec.Value("cpu-shares", 'c', "N", "Relative CPU weight (v1 cpu.shares; v2 cpu.weight)"),
        OptionSpec.Value("cap-add", null, "CAP", "Add a Linux capability (repeatable; ALL for every one)"),
        OptionSpec.Value("cap-drop", null, "CAP", "Drop a Linux capability (repeatable; ALL for every one)"),
        OptionSpec.Flag("privileged", null, "Every capability and device, no masked paths, writable /sys"),
        OptionSpec.Flag("read-only", null, "Mount the container's root filesystem read-only"),
        OptionSpec.Value("security-opt", null, "OPT", "no-new-privileges: execve never grants privileges; seccomp=unconfined|PROFILE.json (default: Docker's profile)"),
        OptionSpec.Value("pull", null, "missing|always|never", "Pull the image before running: when it is missing (default), always, or never"),
        OptionSpec.Flag("quiet", 'q', "Print no pull progress"),
        OptionSpec.Value("stop-timeout", null, "SECONDS", "How long `stop` (or a SIGINT/SIGTERM to a foreground run) waits before SIGKILL (default 10; -1: forever)"),
        OptionSpec.Flag("explain", null, "Narrate every step on stderr as its shell command, with why"),
        OptionSpec.Flag("dry-run", null, "Do nothing: print a bash script that makes and runs the same container with standard tools"),
        PullOptionsParser.Platform,
        PullOptionsParser.InsecureRegistry,
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("Run a shell in a new container, removed when it exits", "minirun run --rm -it minibox sh"),
        new("Run one in the background with a name, a memory limit and a named volume", "minirun run -d --name web --memory 64m -v data:/srv minibox sh -c 'while true; do date; sleep 5; done'"),
        new("Narrate each step (mount, unshare, pivot_root …) on stderr as its shell command", "minirun run --rm --explain minibox true"),
        new("Do nothing: print a bash script that makes the same container with standard tools", "minirun run --dry-run minibox echo hi"),
        new("Only loopback, a read-only root, no capabilities", "minirun run --rm --network none --read-only --cap-drop ALL minibox id"),
    ];

    public int Execute(ParsedArguments args, CliContext context) => Execute(args, context, createOnly: false);

    /// <param name="createOnly">`create`: the container is made and its ID printed; `start` runs it later.</param>
    internal int Execute(ParsedArguments args, CliContext context, bool createOnly)
    {
        string verb = createOnly ? "create" : "run";
        if (args.Positionals.Count == 0) throw UsageException.Arguments($"\"minirun {verb}\" requires at least 1 argument: IMAGE (see 'minirun {verb} --help')");
        bool tty = args.Has("tty");
        if (tty && args.Has("interactive") && !createOnly && !args.Has("detach") && !args.Has("dry-run") && !KernelFiles.IsTerminal(0))
            return NotATerminal();
        // Spawned first, so its start-up (a second .NET start) overlaps with all the rest up to the container's start:
        // the flags, the image, the container, the overlay. Killed if any of it fails (Dispose).
        using InitStageProcess? stage = createOnly || args.Has("detach") || args.Has("dry-run") ? null
            : InitStageProcess.Spawn(tty ? null : ContainerOutput.Create(echo: true), explain: args.Has("explain"), newPidNamespace: args.Get("pid") != "host",
                nullStdin: !args.Has("interactive"));
        var spec = new ContainerSpec
        {
            Image = args.Positionals[0],
            Command = args.Positionals.Skip(1).ToList(),
            Name = args.Get("name"),
            Env = [.. args.GetAll("env-file").SelectMany(EnvFile.Read), .. args.GetAll("env")],
            WorkingDir = args.Get("workdir"),
            User = args.Get("user"),
            Hostname = args.Get("hostname"),
            Entrypoint = args.Get("entrypoint"),
            Network = args.Get("network"),
            NetworkAliases = args.GetAll("network-alias"),
            Ip = args.Get("ip"),
            Publish = FlagValues(args.GetAll("publish"), PortRequests.Normalize),
            PublishAll = args.Has("publish-all"),
            Expose = FlagValues(args.GetAll("expose"), PortRequests.NormalizeExpose),
            UseChroot = args.Has("chroot"),
            ExtraLayers = args.GetAll("layer"),
            RemoveWhenDone = args.Has("rm"),
            RestartPolicy = ParseRestart(args.Get("restart") ?? ""),
            StopSignal = args.Get("stop-signal"),
            StopTimeout = StopTimeout(args.Get("stop-timeout")),
            Ulimits = args.GetAll("ulimit"),
            Init = args.Has("init"),
            ExtraHosts = args.GetAll("add-host"),
            Dns = [.. args.GetAll("dns").Select(d => FlagValue(DnsFlags.CheckNameserver, d))],
            DnsSearch = [.. args.GetAll("dns-search").Select(d => FlagValue(DnsFlags.CheckSearchDomain, d))],
            DnsOptions = args.GetAll("dns-option"),
            Devices = args.GetAll("device"),
            Namespaces = ContainerNamespaces.Parse(args.Get("pid"), args.Get("ipc"), args.Get("uts"),
                args.Get("shm-size") is { } shm ? ByteSize.Parse(shm, "--shm-size") : 0, args.Get("hostname")),
            Labels = [.. args.GetAll("label-file").SelectMany(ContainerLabels.ReadFile), .. args.GetAll("label").Select(ContainerLabels.Check)],
            Tty = tty,
            Interactive = args.Has("interactive"),
            StdinOnce = !args.Has("detach"), // docker run -d -i keeps stdin open for every attach to come
            Mounts = [.. args.GetAll("volume").Select(MountRequests.Volume), .. args.GetAll("mount").Select(MountRequests.Mount),
                .. args.GetAll("tmpfs").Select(MountRequests.Tmpfs)],
            Resources = ResourceFlags.Parse(args),
            Security = SecurityFlags.Parse(args),
        };
        if (args.Has("explain") && args.Has("detach"))
            throw new UsageException("--explain and --detach cannot be combined: a detached container's steps happen in its supervisor, away from this stderr");
        if (args.Has("explain")) context.Syscalls = new NarratingSyscalls(context.Syscalls, Console.Error, context.Paths.Root); // before the store opens: a pull's unpacking is narrated too
        var runner = new ContainerRunner(context.Images, context.Containers, context.Syscalls) { Notice = line => Console.Error.WriteLine(UserMessages.Line(line)) };
        if (args.Has("dry-run"))
        {
            if (args.Has("detach")) throw new UsageException("--dry-run and --detach cannot be combined: the script runs in the foreground");
            context.Out.Write(DryRunScript.Build(context.Paths, runner, runner.Plan(spec))); // no pull either: nothing is done
            return 0;
        }
        PullPolicy policy = args.Get("pull") switch
        {
            null or "missing" => PullPolicy.Missing,
            "always" => PullPolicy.Always,
            "never" => PullPolicy.Never,
            string other => throw new UsageException($"--pull {other}: expected missing, always or never"),
        };
        using ContainerIdFile? cidFile = args.Get("cidfile") is { } cidPath ? ContainerIdFile.Create(cidPath) : null; // before the pull, as Docker's
        // As docker run: pull progress goes to stderr, so the container's stdout stays its own.
        PullOptions pull = PullOptionsParser.Create(args, () => new PullProgressPrinter(Console.Error, !Console.IsErrorRedirected), args.Has("quiet"));
        ImageRecord image = new ImagePuller(context.Images, pull).Ensure(spec.Image, policy, name =>
        {
            if (args.Has("quiet")) return;
            Console.Error.WriteLine($"Unable to find image '{name.FamiliarString}' locally");
            Console.Error.WriteLine($"{name.Tag ?? name.Digest.ToString()}: Pulling from {name.FamiliarRepository}");
        });
        Container container = runner.Create(spec, image); // its layers are checked again under the store lock
        // As Docker's create says it: the host network has the host's ports, nothing to publish.
        if (PortRequests.Warning(container.Record.Network == NetworkMode.Host, spec.Publish) is { } warning) Console.Error.WriteLine($"WARNING: {warning}");
        cidFile?.Write(container.Id);
        if (createOnly)
        {
            context.Out.WriteLine(container.Id);
            return 0;
        }
        if (stage is not null) return new RestartLoop(runner, context.Containers, container).Foreground(stage); // restarts: as Docker's CLI, handed over
        ContainerSupervisor.Start(context.Containers, container, TimeSpan.FromSeconds(30));
        context.Out.WriteLine(container.Id);
        return 0;
    }

    /// <summary>-it with stdin that is no terminal: what Docker's CLI says, with its exit status 1.</summary>
    internal static int NotATerminal()
    {
        Console.Error.WriteLine("minirun: the input device is not a TTY: drop -t, or run from a terminal");
        return 1;
    }

    private static int? StopTimeout(string? seconds) =>
        seconds is null ? null
        : int.TryParse(seconds, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n
        : throw new UsageException($"invalid argument \"{seconds}\" for \"--stop-timeout\": a whole number of seconds");

    /// <summary>A flag's value the library refuses: a usage error (125 from `create` too, as Docker's CLI).</summary>
    private static string FlagValue(Func<string, string> check, string value)
    {
        try { return check(value); }
        catch (InvalidInputException e) { throw new UsageException(e.Message); }
    }

    /// <summary>Each value checked as <see cref="FlagValue"/>.</summary>
    private static List<string> FlagValues(IReadOnlyList<string> values, Func<string, string> check) => values.Select(v => FlagValue(check, v)).ToList();

    /// <summary>A retry count that is no number is a flag error (125, as Docker's CLI); a policy the engine refuses is create's 1.</summary>
    private static RestartPolicy ParseRestart(string text)
    {
        try { return RestartPolicy.Parse(text); }
        catch (InvalidInputException e) { throw new UsageException(e.Message); }
    }
}
