using MiniRun.Containers.Logs;
using MiniRun.Explain;
using MiniRun.Images;
using MiniRun.Layers;
using MiniRun.Native;
using MiniRun.Runtime.Spec;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Containers;

/// <summary>
/// `run`, as data flowing through the pipeline: the image resolved to its layers → a container directory with its
/// init layer → the overlay mount → the sandboxed init stage → wait → the exit status recorded → teardown.
/// </summary>
/// <param name="narrator">--explain: each kernel side effect is narrated as its shell equivalent as it is done.</param>
public sealed class ContainerRunner(ImageStore images, ContainerStore containers, IStepNarrator? narrator = null)
{
    private StorePaths Paths => containers.Paths;

    /// <summary>Creates the container (directories, record, init layer) from the spec and the image's config.</summary>
    /// <param name="image">the image <c>spec.Image</c> names, when the caller has just resolved it (run, after the pull check).</param>
    public Container Create(ContainerSpec spec, ImageRecord? image = null)
    {
        // Shared with other starts and loads; rmi and prune wait until this container's record names its layers.
        using FileLock storeLock = Paths.LockShared();
        ContainerRecord record = Plan(spec, image);
        return containers.Create(record, initDir =>
        {
            if (narrator is not null)
            {
                string dir = Path.GetDirectoryName(initDir)!;
                narrator.Narrate(new Step($"mkdir -p {string.Join(' ', new[] { "diff", "work", "merged" }.Select(d => ShellQuote.Quote(Path.Combine(dir, d))))}",
                    "the container's own directories: upper (its writes), overlay's work dir, the mount point (made under tmp/, renamed into containers/ when complete)"));
                foreach (Step step in InitLayer.Steps(initDir, record.Hostname, record.Network)) narrator.Narrate(step);
            }
            InitLayer.Write(initDir, record.Hostname, record.Network);
        }, nameIsGenerated: spec.Name is null);
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
            if (!Directory.Exists(extra)) throw new MiniRunException($"--layer {extra}: no such directory");
        if (spec.Name is not null && !ContainerNames.IsValid(spec.Name))
            throw new MiniRunException($"invalid container name \"{spec.Name}\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");

        Capabilities.Compute(spec.Security.CapAdd, spec.Security.CapDrop, spec.Security.Privileged, Capabilities.LastCapability()); // names checked now, not at run
        ContainerConfig config = image.Config.Config ?? new ContainerConfig();
        List<string> args = Command(spec, config);
        string id = ContainerStore.NewId();
        string hostname = spec.Hostname ?? id[..12];
        var record = new ContainerRecord
        {
            Id = id,
            // Generated names are checked under the store's lock (ContainerStore.Create), which draws another when taken.
            Name = spec.Name ?? ContainerNames.Generate(),
            Created = DateTimeOffset.UtcNow,
            ImageId = image.Id.ToString(),
            ImageName = spec.Image,
            Args = args,
            Env = ContainerEnvironment.Compose(config.Env, spec.Env, hostname),
            WorkingDir = string.IsNullOrEmpty(spec.WorkingDir) ? string.IsNullOrEmpty(config.WorkingDir) ? "/" : config.WorkingDir : spec.WorkingDir,
            User = spec.User ?? config.User ?? "",
            Hostname = hostname,
            Network = spec.Network,
            UseChroot = spec.UseChroot,
            AutoRemove = spec.RemoveWhenDone,
            ExtraLayers = spec.ExtraLayers.Select(Path.GetFullPath).ToList(),
            Layers = image.DiffIds.Select(d => d.ToString()).ToList(),
            Resources = spec.Resources,
            Security = spec.Security,
        };
        if (!Path.IsPathRooted(record.WorkingDir))
            throw new MiniRunException($"the working directory \"{record.WorkingDir}\" is invalid: it needs to be an absolute path");
        return record;
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

    /// <summary>The lowerdir list, top first, relative to the store root: extra layers, the init layer, the image's layers.</summary>
    public IReadOnlyList<string> LowerDirs(Container container)
    {
        var lower = new List<string>();
        for (int i = 0; i < container.Record.ExtraLayers.Count; i++)
            lower.Add(Path.Combine(container.RelativeDirectory, $"layer-{i}"));
        lower.Add(Path.Combine(container.RelativeDirectory, "init"));
        for (int i = container.Record.Layers.Count - 1; i >= 0; i--)
            lower.Add(images.Layers.ShortLink(Digest.Parse(container.Record.Layers[i], "container " + container.Id)));
        return lower;
    }

    /// <summary>Mounts the container's overlay on merged/ in the host's mount namespace (visible in `mount`).</summary>
    public void Mount(Container container) => Mount(container, mayBeMounted: true);

    /// <param name="mayBeMounted">false for a container just created (by this process), which cannot be mounted yet.</param>
    private void Mount(Container container, bool mayBeMounted)
    {
        if (mayBeMounted && OverlayMount.IsMounted(container.MergedDir)) return;
        for (int i = 0; i < container.Record.ExtraLayers.Count; i++)
        {
            string link = Path.Combine(container.Directory, $"layer-{i}");
            if (!File.Exists(link) && !Directory.Exists(link)) File.CreateSymbolicLink(link, container.Record.ExtraLayers[i]);
        }
        MountRecord overlay = OverlayMount.Build(LowerDirs(container),
            Path.Combine(container.RelativeDirectory, "diff"), Path.Combine(container.RelativeDirectory, "work"), container.MergedDir);
        if (narrator is not null)
        {
            foreach (Step step in RunSteps.Layers(ImageLayers(container.Record))) narrator.Narrate(step);
            narrator.Narrate(RunSteps.Overlay(Paths.Root, overlay));
        }
        OverlayMount.Mount(Paths.Root, overlay);
    }

    /// <summary>The image's layers, bottom first, as the record lists them.</summary>
    public IReadOnlyList<Layer> ImageLayers(ContainerRecord record) =>
        record.Layers.Select(d => images.Layers.Get(Digest.Parse(d, "container " + record.Id))).ToList();

    /// <summary>Runs the container in the foreground and returns the command's exit status; teardown always runs.</summary>
    public int Run(Container container) => Run(container, SandboxLauncher.DefaultStopTimeout);

    /// <summary>As <see cref="Run(Container)"/>; a PID 1 that outlives a forwarded SIGINT/SIGTERM by <paramref name="stopTimeout"/> gets SIGKILL.</summary>
    /// <param name="stage">the init stage when it was spawned ahead (run does so, to overlap its start-up with the
    /// container's creation, so the container is the one it has just created, in its first state); else it is spawned
    /// here, its output piped to the log only (the supervisor). Either way it is killed if the container does not start.
    /// Its output, when piped, is copied (logged, and shown if the pipes say so) until it ends, before the exit is recorded.</param>
    public int Run(Container container, TimeSpan stopTimeout, InitStageProcess? stage = null)
    {
        ContainerState state = stage is null ? containers.ReadState(container) : new ContainerState(); // not read back: no JSON metadata to build
        ICgroupManager? cgroups = null;
        string cgroup = CgroupNames.For(container.Id);
        HostProcess runner = HostProcess.Self();
        state.RunnerPid = runner.Pid;
        state.RunnerStartTicks = runner.StartTicks;
        state.Error = null;
        containers.WriteState(container, state); // from here a crash of ours is visible: the runner is gone, the state not final
        CgroupLimits limits = container.Record.Resources.ToLimits(container.Record.Security.Privileged);
        try
        {
            Mount(container, mayBeMounted: stage is null);
            CrashPoint.Reach("overlay-mounted");
            cgroups = DetectCgroups(limits);
            InitSpec spec = BuildInitSpec(container, cgroups, limits, Paths);
            stage ??= InitStageProcess.Spawn(ContainerOutput.Create(echo: false));
            narrator?.Narrate(RunSteps.RuntimeBinary(stage.Binary));
            narrator?.Narrate(RunSteps.Namespaces(SandboxLauncher.NamespacesFor(container.Record.Network == NetworkMode.None),
                "minirun __init   # born in the new PID namespace; it unshares the others itself once it has its spec (fd 3)" +
                (stage.Output is null ? "" : "; its stdout and stderr are pipes minirun copies to the log")));
            // Narrated before each part is done: the child's own output comes after.
            stage.Send(spec, beforeSpec: narrator is null ? null : _ => Narrate(RunSteps.JoinUnifiedCgroup(spec).Concat(RunSteps.PrepareRoot(spec))));
            int pid = stage.Pid;
            // While the init stage sets up the root: it joins the cgroup on the go.
            cgroups?.Create(cgroup, limits);
            CrashPoint.Reach("cgroup-created");
            // Before the go: the command may be signalled as soon as it runs.
            using var forwarding = new SignalForwarding(pid, stopTimeout);
            if (narrator is not null) Narrate(RunSteps.JoinCgroup(spec).Concat(RunSteps.EnterRoot(spec)).Concat(RunSteps.Exec(spec)));
            stage.Release();
            state.Status = "running";
            state.Pid = pid;
            state.PidStartTicks = HostProcess.Find(pid)?.StartTicks ?? 0;
            state.StartedAt = DateTimeOffset.UtcNow;
            state.OomKilled = false;
            containers.WriteState(container, state);
            CrashPoint.Reach("container-started");
            stage.WaitUntilExecuted(); // before the copy, which lasts as long as the container
            if (stage.Output is { } output)
            {
                using var log = new JsonLogWriter(container.LogPath);
                OutputCopier.CopyUntilExited(pid, output, log);
            }
            state.ExitCode = forwarding.WaitForExit();
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
            stage?.Dispose(); // killed, if it never had its spec
            state.Status = "exited";
            state.Pid = 0;
            state.RunnerPid = 0;
            state.FinishedAt = DateTimeOffset.UtcNow;
            if (narrator is not null)
                foreach (Step step in RunSteps.Teardown(TeardownDirectories(cgroups, cgroup, limits), container.MergedDir,
                             container.Record.AutoRemove ? container.Directory : null))
                    narrator.Narrate(step);
            cgroups?.Remove(cgroup); // PID 1 is gone, so is every process of its PID namespace (pid_namespaces(7))
            Teardown(container, state);
        }
        return state.ExitCode;
    }

    /// <summary>The cgroup's directories in the order they are removed: the limits' leaves first.</summary>
    private static List<string> TeardownDirectories(ICgroupManager? cgroups, string cgroup, CgroupLimits limits)
    {
        if (cgroups is null) return [];
        IReadOnlyList<string> dirs = cgroups.Directories(cgroup);
        return [.. cgroups.ProcessDirectories(cgroup, limits).Where(d => !dirs.Contains(d)), .. dirs];
    }

    private ICgroupManager? DetectCgroups(CgroupLimits limits)
    {
        ICgroupManager? cgroups = CgroupDetector.Detect(narrator);
        if (cgroups is null && (limits.RequestsMemory || limits.RequestsPids || limits.RequestsCpu))
            throw new MiniRunException("resource limits need cgroups, and no cgroup filesystem is mounted (see `minirun doctor`)");
        return cgroups;
    }

    private void Teardown(Container container, ContainerState state)
    {
        OverlayMount.Unmount(container.MergedDir);
        if (container.Record.AutoRemove) containers.Delete(container); // --rm: unmounted, its cgroup gone; nothing left to check
        else containers.WriteState(container, state);
    }

    /// <summary>
    /// The init stage's steps, narrated by the parent from the spec it sends (the child's stderr is the container's,
    /// so the parent speaks for it); the spec is data, so this is what the init stage does.
    /// </summary>
    private void Narrate(IEnumerable<Step> steps)
    {
        foreach (Step step in steps) narrator!.Narrate(step);
    }

    private static InitSpec BuildInitSpec(Container container, ICgroupManager? cgroups, CgroupLimits limits, StorePaths store) =>
        BuildInitSpec(container.Record, container.MergedDir, ContainerUser.Resolve(container.MergedDir, container.Record.User), cgroups, limits, store);

    /// <summary>The init stage's whole spec, through the container's OCI spec (<see cref="ContainerStageSpecs.Init"/>).</summary>
    public static InitSpec BuildInitSpec(ContainerRecord record, string rootfs, ContainerUser user, ICgroupManager? cgroups = null, CgroupLimits? limits = null,
        StorePaths? store = null) => ContainerStageSpecs.Init(record, rootfs, user, cgroups, limits, store);

    /// <summary>runc's name for a container's session keyring: exec joins the one its PID 1 made.</summary>
    public static string SessionKeyringName(string containerId) => ContainerStageSpecs.SessionKeyringName(containerId);
}
