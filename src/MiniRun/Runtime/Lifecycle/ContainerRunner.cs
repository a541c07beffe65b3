using MiniRun.Containers.Attach;
using MiniRun.Containers.Logs;
using MiniRun.Explain;
using MiniRun.Images;
using MiniRun.Layers;
using MiniRun.Networking;
using MiniRun.Native;
using MiniRun.Runtime.Spec;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;
using MiniRun.Store;
using MiniRun.Volumes;

using MiniRun.Containers;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>
/// `run`, as data flowing through the pipeline: the image resolved to its layers → a container directory with its
/// init layer → the overlay mount → the sandboxed init stage → wait → the exit status recorded → teardown.
/// </summary>
/// <param name="sys">the seam every kernel side effect goes through: the kernel, or --explain's narrating decorator.</param>
public sealed class ContainerRunner(ImageStore images, ContainerStore containers, ISyscalls? sys = null)
{
    private readonly ISyscalls _sys = sys ?? LinuxSyscalls.Instance;

    /// <summary>The store's volumes, which -v NAME:… and anonymous volumes live in.</summary>
    public VolumeStore Volumes { get; } = new(containers.Paths);

    private StorePaths Paths => containers.Paths;

    /// <summary>Told, in one line, what becomes of a foreground container that goes on running after Ctrl-C (<see cref="SignalForwarding"/>).</summary>
    public Action<string>? Notice { get; init; }

    /// <summary>The same runner on another seam (--dry-run's, which prints and does nothing).</summary>
    public ContainerRunner WithSyscalls(ISyscalls other) => new(images, containers, other) { Notice = Notice };

    /// <summary>The container's root filesystem: its directories and overlay.</summary>
    public ContainerSnapshotter Snapshotter { get; } = new(images.Layers);

    /// <summary>Creates the container (directories, record, init layer) from the spec and the image's config.</summary>
    /// <param name="image">the image <c>spec.Image</c> names, when the caller has just resolved it (run, after the pull check).</param>
    public Container Create(ContainerSpec spec, ImageRecord? image = null)
    {
        // Shared with other starts and loads; rmi and prune wait until this container's record names its layers.
        using FileLock storeLock = Paths.LockShared();
        ContainerRecord record = Plan(spec, image);
        Snapshotter.PrepareImage(_sys, record); // vfs: its layers' trees, when a load did not make them
        Container container = containers.Create(record, dir => Snapshotter.Prepare(_sys, dir, record), nameIsGenerated: spec.Name is null, _sys);
        // Only once the container exists (its name was free): a refused create leaves no volume or host directory behind.
        foreach (ContainerMount mount in spec.Mounts.Where(m => m.MakeSource && !Path.Exists(m.Source)))
            Directory.CreateDirectory(mount.Source); // -v HOST:CTR makes HOST, as Docker does
        foreach (ContainerMount mount in record.Mounts.Where(m => m.Type == ContainerMount.Volume))
            Volumes.Ensure(mount.Name, mount.Anonymous);
        return container;
    }

    /// <summary>The container's record, resolved from the spec and the image's config; nothing is created.</summary>
    public ContainerRecord Plan(ContainerSpec spec, ImageRecord? resolved = null)
    {
        // Resolved again when a layer went missing meanwhile (an rmi before our lock): "no such image", as it is now.
        ImageRecord image = resolved is not null && resolved.DiffIds.All(HasLayer) ? resolved : images.Resolve(spec.Image);
        if (!ReferenceEquals(image, resolved))
            foreach (Digest layer in image.DiffIds) // every layer must be there before we start
                if (!HasLayer(layer)) throw new NotFoundException($"layer {layer} is not in the store");
        foreach (string extra in spec.ExtraLayers)
            if (!Directory.Exists(extra))
                throw new MiniRunException(File.Exists(extra)
                    ? $"--layer {extra} is a file: --layer takes a directory to stack above the image's layers"
                    : $"--layer {extra}: no such directory");
        if (spec.Name is not null && !ContainerNames.IsValid(spec.Name))
            throw new MiniRunException($"invalid container name \"{spec.Name}\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");

        Capabilities.Compute(spec.Security.CapAdd, spec.Security.CapDrop, spec.Security.Privileged, Capabilities.LastCapability()); // names checked now, not at run
        if (spec.Namespaces.IpcContainer is { } donor) containers.Resolve(donor); // it must exist now; running, at each start
        NetworkPlan network = NetworkChoice.Resolve(spec.Network, spec.Ip, spec.NetworkAliases, Paths, name => containers.Resolve(name).Id);
        ContainerConfig config = image.Config.Config ?? new ContainerConfig();
        List<string> args = Command(spec, config);
        string id = ContainerStore.NewId();
        // container:NAME: the donor's host name too, as Docker gives it (and refuses one of its own).
        if (network.Container is not null && spec.Hostname is not null) throw new MiniRunException("conflicting options: hostname and the network mode");
        string hostname = spec.Hostname ?? (network.Container is { } donorId ? containers.Resolve(donorId).Record.Hostname : id[..12]);
        var record = new ContainerRecord
        {
            Id = id,
            // Generated names are checked under the store's lock (ContainerStore.Create), which draws another when taken.
            Name = spec.Name ?? ContainerNames.Generate(),
            Created = DateTimeOffset.UtcNow,
            ImageId = image.Id.ToString(),
            ImageName = spec.Image,
            Args = args,
            Env = ContainerEnvironment.Compose(config.Env, spec.Env, hostname, spec.Tty),
            WorkingDir = string.IsNullOrEmpty(spec.WorkingDir) ? string.IsNullOrEmpty(config.WorkingDir) ? "/" : config.WorkingDir : spec.WorkingDir,
            User = spec.User ?? config.User ?? "",
            Hostname = hostname,
            Network = network.Mode,
            Networks = network.Networks,
            NetworkContainer = network.Container,
            Dns = [.. spec.Dns],
            DnsSearch = [.. spec.DnsSearch],
            DnsOptions = [.. spec.DnsOptions],
            Ports = PublishedPortsOf(spec, network.Mode, config),
            UseChroot = spec.UseChroot,
            AutoRemove = spec.RemoveWhenDone,
            RestartPolicy = spec.RemoveWhenDone && !spec.RestartPolicy.IsNone // as Docker refuses it
                ? throw new MiniRunException("conflicting options: cannot specify both --restart and --rm") : spec.RestartPolicy,
            StopSignal = CheckedStopSignal(spec.StopSignal ?? config.StopSignal), // the image's too, as Docker's create copies it
            StopTimeout = spec.StopTimeout,
            Ulimits = CheckedUlimits(spec.Ulimits),
            Init = spec.Init,
            ExtraHosts = spec.ExtraHosts.Select(ExtraHosts.Check).ToList(),
            Devices = spec.Devices.Select(DeviceRequests.Normalize).ToList(),
            Namespaces = spec.Namespaces,
            Labels = ContainerLabels.Merge(config.Labels, spec.Labels),
            Tty = spec.Tty,
            OpenStdin = spec.Interactive,
            StdinOnce = spec.Interactive && spec.StdinOnce,
            ExtraLayers = spec.ExtraLayers.Select(Path.GetFullPath).ToList(),
            Layers = image.DiffIds.Select(d => d.ToString()).ToList(),
            Resources = spec.Resources,
            Security = spec.Security,
            // A volume's files are volumes/NAME/_data of this store, made (and seeded) at the container's first start.
            Mounts = MountRequests.Check([.. spec.Mounts, .. MountRequests.ImageVolumes(config.Volumes?.Keys, spec.Mounts)], VolumeStore.NewAnonymousName)
                .Select(m => m.Type == ContainerMount.Volume ? m with { Source = Volumes.DataDirectory(VolumeStore.CheckName(m.Name)) } : m).ToList(),
        };
        if (!Path.IsPathRooted(record.WorkingDir))
            throw new MiniRunException($"the working directory \"{record.WorkingDir}\" is invalid: it needs to be an absolute path");
        Snapshotter.CheckMountable(record); // 128 image layers and --layer dirs may not fit the kernel's page of mount options: refused before anything is made
        return record;
    }

    /// <summary>
    /// -p, -P and --expose: host ports chosen now, at create (Docker chooses them at each start), so that `port` and
    /// inspect have them at once. Only a namespace of its own publishes (bridge, or pasta which binds them): the host's
    /// has the host's ports (Docker warns), none has no way in, container: has the donor's.
    /// </summary>
    private List<PortBinding> PublishedPortsOf(ContainerSpec spec, NetworkMode network, ContainerConfig image)
    {
        if (spec.Publish.Count == 0 && !spec.PublishAll) return [];
        if (network == NetworkMode.Container && spec.Publish.Count > 0) throw new MiniRunException(PortRequests.ContainerNetworkConflict);
        if (network is not (NetworkMode.Bridge or NetworkMode.Pasta)) return [];
        IEnumerable<PortBinding> elsewhere = containers.List().SelectMany(c => c.Record.Ports);
        return PublishedPorts.Resolve(spec.Publish, spec.PublishAll, spec.Expose, image.ExposedPortKeys, HostPortAllocator.FromKernel(elsewhere));
    }

    /// <summary>--ulimit values normalised; rootless, each within this process's own hard limits (see <see cref="Ulimits.CheckWithinOwnLimits"/>).</summary>
    private static List<string> CheckedUlimits(IEnumerable<string> flags)
    {
        List<string> ulimits = [.. flags.Select(Ulimits.Normalize)];
        if (RootlessMode.Active && ulimits.Count > 0 && KernelFiles.TryReadAll("/proc/self/limits") is { } limits)
            foreach (string ulimit in ulimits) Ulimits.CheckWithinOwnLimits(ulimit, limits);
        return ulimits;
    }

    /// <summary>A stop signal as given, once known to be one (`invalid signal: X` otherwise, at create rather than at stop).</summary>
    private static string? CheckedStopSignal(string? signal)
    {
        if (!string.IsNullOrEmpty(signal)) Signals.Parse(signal);
        return string.IsNullOrEmpty(signal) ? null : signal;
    }

    private bool HasLayer(Digest diffId) => images.Layers.TryShortLink(diffId) is not null;

    /// <summary>Docker's rule: the entrypoint, then the given command or else the image's Cmd.</summary>
    private static List<string> Command(ContainerSpec spec, ContainerConfig config)
    {
        List<string> entrypoint = spec.Entrypoint is not null ? (spec.Entrypoint.Length > 0 ? [spec.Entrypoint] : []) : config.Entrypoint ?? [];
        IEnumerable<string> cmd = spec.Command.Count > 0 ? spec.Command : spec.Entrypoint is not null ? [] : config.Cmd ?? [];
        var args = entrypoint.Concat(cmd).ToList();
        if (args.Count == 0) throw new MiniRunException($"no command specified: image {spec.Image} has no Cmd or Entrypoint; give one after the image name");
        return args;
    }

    /// <summary>Mounts the container's overlay on merged/ in the host's mount namespace (visible in `mount`).</summary>
    public void Mount(Container container) => Snapshotter.Mount(_sys, container);

    /// <summary>Runs the container in the foreground and returns the command's exit status; teardown always runs.</summary>
    public int Run(Container container) => Run(container, container.Record.StopTimeoutOrDefault());

    /// <summary>As <see cref="Run(Container)"/>; a PID 1 that outlives a forwarded SIGINT/SIGTERM by <paramref name="stopTimeout"/> gets
    /// SIGKILL. A SIGTERM becomes the container's stop signal, as `stop` sends it; each forwarded signal counts as the user's (<see cref="ManualStop"/>).</summary>
    /// <param name="stage">the init stage when it was spawned ahead (run does so, to overlap its start-up with the
    /// container's creation, so the container is the one it has just created, in its first state); else it is spawned
    /// here, its output piped to the log only (the supervisor). Either way it is killed if the container does not start.
    /// Its output, when piped, is copied (logged, and shown if the pipes say so) until it ends, before the exit is recorded.</param>
    /// <param name="atExit">once the command has exited, may change the state before it is recorded (the restart loop's decision).</param>
    /// <param name="attach">the supervisor's attach clients: they get the output, and reach the container's input (-i),
    /// terminal and PID 1 while it runs.</param>
    public int Run(Container container, TimeSpan stopTimeout, InitStageProcess? stage = null, Action<ContainerState>? atExit = null,
        AttachServer? attach = null)
    {
        ContainerState state = stage is null ? containers.ReadState(container) : new ContainerState(); // not read back: no JSON metadata to build
        ICgroupManager? cgroups = null;
        string cgroup = CgroupNames.For(container.Id);
        HostProcess runner = HostProcess.Self();
        state.RunnerPid = runner.Pid;
        state.RunnerStartTicks = runner.StartTicks;
        state.Error = null;
        containers.WriteState(container, state); // from here a crash of ours is visible: the runner is gone, the state not final
        CgroupLimits limits = container.Record.CgroupLimits();
        bool stageBegun = false, exited = false;
        bool foreground = stage is not null; // spawned by `run` itself; else this is a detached container's supervisor
        int pid;
        try
        {
            Snapshotter.Mount(_sys, container, mayBeMounted: stage is null);
            CrashPoint.Reach("overlay-mounted");
            VolumeSeeder.Seed(container.Record, container.MergedDir); // an empty volume starts with the image's files there
            cgroups = DetectCgroups(limits);
            ContainerNamespaces modes = container.Record.Namespaces;
            SharedIpc? ipc = ContainerIpc.Resolve(containers, container.Record, container.Directory);
            if (modes.IpcShareable) ContainerIpc.MountShm(_sys, container.Directory, modes.ShmSize);
            NetworkJoin network = new ContainerNetworking(containers, _sys).Attach(container);
            CrashPoint.Reach("network-attached");
            (OciSpec config, InitSpec spec) = Bundle(container.Record, container.MergedDir, ContainerUser.Resolve(container.MergedDir, container.Record.User),
                cgroups, limits, Paths, ipc, network);
            // -t: the container's output is its pty's, which the stage hands over; its own messages before that, ours.
            // -i without -t: a stdin pipe, which the attach clients write to.
            stage ??= InitStageProcess.Spawn(container.Record.Tty ? null : ContainerOutput.Create(echo: false, stdin: container.Record.OpenStdin && attach is not null),
                newPidNamespace: !modes.PidHost);
            pid = stage.Pid;
            _sys.Describe(RuntimeBinaryStep(stage.Binary), RuntimeBinaryWhy(stage.Binary), alreadyDone: false);
            // --explain: the parent's steps and the stage's share one stderr, so they take turns instead of overlapping.
            bool oneAtATime = _sys is NarratingSyscalls;
            if (oneAtATime)
            {
                WriteConfig(container.Record, container.Directory, config);
                cgroups?.Create(cgroup, limits);
            }
            _sys.StageBegins(modes.PidHost ? NamespaceFlags.None : NamespaceFlags.Pid,
                (modes.PidHost ? "--pid host: no PID namespace of its own, the command sees the host's processes; minirun's init stage"
                    : "new PID namespace: the command becomes PID 1 (pid_namespaces(7)); minirun's init stage is born in it,") +
                " unshares the other namespaces itself once it has its spec, and does the lines up to the command's exec" +
                (stage.Output is null ? "" : "; its stdout and stderr are pipes minirun copies to the log"));
            stageBegun = true;
            if (_sys is ShellSyscalls narration) spec.ExplainShorthands = [.. narration.Shorthands]; // its lines run nested in ours
            stage.Send(spec);
            // While the init stage sets up the root: it joins the cgroup on the go. config.json is written meanwhile too:
            // the stage runs what was made from the same spec, and its JSON (about 2 ms) is then off the start's path.
            if (!oneAtATime)
            {
                cgroups?.Create(cgroup, limits);
                WriteConfig(container.Record, container.Directory, config);
            }
            CrashPoint.Reach("cgroup-created");
            // Before the go: the command may be signalled as soon as it runs.
            using var forwarding = new SignalForwarding(pid, stopTimeout, container.Record.StopSignalOrDefault(), signal => ManualStop.Record(container, signal),
                foreground ? Notice : null);
            // Ready: its namespaces exist. A stage that failed instead has said why: the go reaches nobody, the wait reports its status.
            stage.AwaitReady();
            if (stage.Console >= 0 && foreground) TerminalRelay.TakeOurSize(stage.Console); // before the command reads it
            attach?.Attach(new AttachTarget(pid, stage.Console, stage.Output?.TakeStdinWrite() ?? -1, container.Record.OpenStdin, container.Record.StdinOnce));
            stage.Release();
            state.Status = StateStatus.Running;
            state.Pid = pid;
            state.PidStartTicks = HostProcess.Find(pid)?.StartTicks ?? 0;
            state.StartedAt = DateTimeOffset.UtcNow;
            state.OomKilled = false;
            containers.WriteState(container, state);
            CrashPoint.Reach("container-started");
            stage.WaitUntilExecuted(); // before the copy, which lasts as long as the container
            _sys.StageEnded();
            if (stage.Console >= 0)
            {
                using var log = new JsonLogWriter(container.LogPath);
                TerminalRelay.CopyUntilExited(pid, stage.Console, log, show: foreground, input: foreground && container.Record.OpenStdin, attach);
            }
            else if (stage.Output is { } output)
            {
                using var log = new JsonLogWriter(container.LogPath);
                OutputCopier.CopyUntilExited(pid, output, log, attach);
            }
            state.ExitCode = forwarding.WaitForExit();
            exited = true;
            CrashPoint.Reach("container-exited");
            // --rm: the state goes with the container, so there is nobody to tell.
            state.OomKilled = !container.Record.AutoRemove && (cgroups?.WasOomKilled(cgroup) ?? false);
        }
        catch (MiniRunException e)
        {
            state.ExitCode = ExitCodes.RuntimeError;
            state.Error = e.Message;
            throw;
        }
        finally
        {
            attach?.Detach(); // before its terminal is closed
            if (stage?.Console >= 0) ProcessControl.Close(stage.Console);
            stage?.Dispose(); // killed, if it never had its spec
            state.Status = StateStatus.Exited;
            state.Pid = 0;
            state.RunnerPid = 0;
            state.FinishedAt = DateTimeOffset.UtcNow;
            if (exited) atExit?.Invoke(state);
            Teardown(container, cgroups, state);
            if (stageBegun) _sys.Describe("exit $status", "minirun exits with the command's status", alreadyDone: false);
        }
        return state.ExitCode;
    }

    private ICgroupManager? DetectCgroups(CgroupLimits limits)
    {
        ICgroupManager? cgroups = CgroupDetector.Detect(_sys);
        if (cgroups is null && (limits.RequestsMemory || limits.RequestsPids || limits.RequestsCpu))
            throw new MiniRunException("resource limits need cgroups, and no cgroup filesystem is mounted (see `minirun doctor`)");
        return cgroups;
    }

    /// <summary>PID 1 is gone, so is every process of its PID namespace (pid_namespaces(7); --pid host: the teardown kills them): the cgroup, the overlay and,
    /// for --rm, the directory go (nothing is left to check); otherwise the exit is recorded.</summary>
    private void Teardown(Container container, ICgroupManager? cgroups, ContainerState state)
    {
        ContainerTeardown.Run(containers, container, cgroups, delete: container.Record.AutoRemove, _sys);
        if (!container.Record.AutoRemove) containers.WriteState(container, state);
        else if (container.Record.Mounts.Count > 0) Volumes.RemoveAnonymous(container.Record, containers.List().Select(c => c.Record)); // --rm: as docker run --rm
    }

    /// <summary>
    /// The binary the init stage runs from: a private, detached, read-only overlay of minirun's directory (fsopen(2),
    /// fsmount(2): no shell tool makes a detached mount, so a temporary directory stands in for it), or, when the kernel
    /// refused that, the file on disk, and why.
    /// </summary>
    private static string RuntimeBinaryStep(RuntimeBinary binary) => binary.LowerDirs is { } lower
        ? $"mount -t overlay overlay -o ro,nosuid,nodev,lowerdir={ShellQuote.Quote(lower)} \"$(mktemp -d)\" && umount -l \"$_\""
        : $"# {ShellQuote.Quote(binary.Path)} itself: unprotected";

    private static string RuntimeBinaryWhy(RuntimeBinary binary) => binary.LowerDirs is not null
        ? $"the stages run {Path.GetFileName(binary.Path)} from a read-only overlay of its directory that is in no mount namespace (fsmount(2), " +
          "detached: here mounted, then detached at once): a container that reaches their /proc/PID/exe cannot write to the binary (CVE-2019-5736)"
        : $"the kernel refused the read-only overlay of minirun ({binary.Unprotected}): the stages run from the file on disk";

    /// <summary>
    /// The container as an OCI bundle: its spec (generated from the image and the flags, root.path the merged
    /// directory) and the init stage's spec made from it (<see cref="ContainerStageSpecs.Init"/>), as a runtime's
    /// create reads a bundle; <see cref="WriteConfig"/> writes the first as the directory's config.json.
    /// </summary>
    public (OciSpec Config, InitSpec Init) Bundle(ContainerRecord record, string rootfs, ContainerUser user, ICgroupManager? cgroups,
        CgroupLimits? limits, StorePaths? store, SharedIpc? ipc = null, NetworkJoin? network = null)
    {
        OciSpec spec = ContainerStageSpecs.Spec(record, rootfs, user, store, ipc, network);
        return (spec, ContainerStageSpecs.Init(spec, record, rootfs, user, cgroups, limits, store));
    }

    /// <summary>config.json into the container's directory, through the seam: --explain and --dry-run show it, with where its fields came from.</summary>
    public void WriteConfig(ContainerRecord record, string directory, OciSpec spec)
    {
        if (_sys is not LinuxSyscalls) // only a narrating seam prints it: a start does not pay for the image lookup
            _sys.Explain(SpecOrigins.Describe(spec, record, Digest.TryParse(record.ImageId, out Digest id) ? images.TryGet(id)?.Config.Config : null));
        string config = Path.Combine(directory, OciSpecJson.FileName);
        if (_sys.LStat(config) is not null) _sys.RemoveTree(config); // a start again: the spec is made anew, as the image or /etc/passwd may have changed
        _sys.WriteFile(config, OciSpecJson.ToText(spec), 0x180);
    }

    /// <summary>--ipc shareable or container:NAME for a container in <paramref name="directory"/> (<see cref="ContainerIpc.Resolve"/>).</summary>
    public SharedIpc? ResolveIpc(ContainerRecord record, string directory) => ContainerIpc.Resolve(containers, record, directory);

    /// <summary>runc's name for a container's session keyring: exec joins the one its PID 1 made.</summary>
    public static string SessionKeyringName(string containerId) => ContainerStageSpecs.SessionKeyringName(containerId);
}
