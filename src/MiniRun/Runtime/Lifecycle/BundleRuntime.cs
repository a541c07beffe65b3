using System.Text.Json;
using MiniRun.Containers;
using MiniRun.Native;
using MiniRun.Runtime.Spec;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>
/// The OCI runtime's lifecycle (runtime-spec runtime.md) for a bundle someone else made: `create` spawns the init stage,
/// which sets up the container from config.json and parks on the state directory's exec.fifo, as runc's does; `create`
/// exits, and the engine's shim becomes the container's parent. `start` opens the fifo, and the stage joins its cgroup,
/// enters the root and execve()s the process. `state`, `kill` and `delete` follow the recorded PID and cgroup.
/// </summary>
/// <param name="stateRoot">the runtime's state directory (--root), one subdirectory per container.</param>
public sealed class BundleRuntime(string stateRoot)
{
    public const string DefaultStateRoot = "/run/minirun-runtime";
    private const string StateFile = "state.json", ExecFifo = "exec.fifo", PausedMark = "paused";

    /// <summary>Compiled seccomp filters, beside the containers' directories: a name no container ID can take (IDs begin with [a-zA-Z0-9]).</summary>
    private const string SeccompCache = ".seccomp";

    /// <summary>Where a failed poststart or poststop hook is reported: the lifecycle goes on (config.md).</summary>
    public Action<string> Warn { get; init; } = _ => { };

    private string Directory(string id)
    {
        if (!ContainerNames.IsValid(id)) throw new MiniRunException($"invalid container id \"{id}\": use [a-zA-Z0-9][a-zA-Z0-9_.-]");
        return Path.Combine(stateRoot, id);
    }

    /// <summary>Creates the container: its namespaces, root and cgroup exist, its process waits for `start`.</summary>
    /// <param name="noPivot">chroot(2) instead of pivot_root(2) (runc's --no-pivot).</param>
    /// <param name="noNewKeyring">keep the caller's session keyring (runc's --no-new-keyring).</param>
    /// <param name="consoleSocket">where process.terminal's pty master is sent (runc's --console-socket).</param>
    public BundleState Create(string id, string bundle, bool noPivot = false, bool noNewKeyring = false, string? consoleSocket = null)
    {
        string dir = Directory(id);
        bundle = Path.GetFullPath(bundle);
        // The stage first, before the bundle is even read: its start (a second .NET start) overlaps all the rest, as
        // `run`'s overlaps the image work. It is born in a new PID namespace, as nearly every config.json asks; one that
        // asks for the host's, a PID namespace by path or a user namespace has it spawned again, as asked.
        InitStageProcess? stage = InitStageProcess.Spawn();
        OciSpec spec;
        string rootfs;
        try
        {
            spec = OciSpecJson.Read(bundle);
            rootfs = Path.GetFullPath(spec.Root?.Path ?? throw new MiniRunException($"{bundle}/config.json: root.path is missing"), bundle);
            if (!System.IO.Directory.Exists(rootfs)) throw new MiniRunException($"{bundle}/config.json: root.path {rootfs} is not a directory");
            System.IO.Directory.CreateDirectory(stateRoot);
            if (!Syscalls.TryMakeDirectory(dir, 0x1c0)) throw new MiniRunException($"container \"{id}\" already exists (state in {dir})");
        }
        catch
        {
            stage.Dispose();
            throw;
        }
        ICgroupManager? cgroups = null;
        string cgroup = (spec.Linux?.CgroupsPath ?? "/" + CgroupNames.Parent + "-runtime/" + id).Trim('/');
        try
        {
            (bool newPid, string? pidNamespace, UserNamespace? user) = StagePlan.Birth(spec);
            if (!newPid || pidNamespace is not null || user is not null)
            {
                stage.Dispose();
                stage = null;
                stage = InitStageProcess.Spawn(pidNamespace: pidNamespace, user: user, newPidNamespace: newPid);
            }
            cgroups = CgroupDetector.Detect();
            CgroupLimits limits = ResourcesSection.ToLimits(spec.Linux?.Resources); // with runc's default devices after the spec's rules
            var host = SpecHost.Current();
            InitSpec init = StagePlan.Init(spec, new StageFacts
            {
                RootFs = rootfs,
                Warn = Warn,
                NoPivot = noPivot,
                CgroupJoinFiles = cgroups?.SelfJoinFiles(cgroup, limits) ?? [],
                CgroupEarlyJoinDirectory = cgroups?.EarlyJoinDirectory(cgroup, limits),
                Cgroups = cgroups,
                SeccompFilter = spec.Linux?.Seccomp is { } section ? Compile(section, spec.Process) : null,
                SessionKeyring = noNewKeyring ? null : ContainerStageSpecs.SessionKeyringName(id),
                Home = "/root",
                LastCapability = host.LastCapability,
                ConsoleSocket = consoleSocket is null ? null : Path.GetFullPath(consoleSocket),
                KindOf = ContainerMounts.KindInRoot(rootfs),
            });
            // pivot_root needs the new root to be a mount point: the bundle's rootfs is bound onto itself first (as runc does).
            init.Mounts.Insert(0, new MountRecord("bind", rootfs, rootfs, MountFlags.Bind | MountFlags.Recursive));
            stage.Send(init);
            cgroups?.Create(cgroup, limits);
            if (init.UserNamespace is not null && cgroups is not null)
                CgroupJoin.FromOutside(LinuxSyscalls.Instance, stage.Pid, cgroups.SelfJoinFiles(cgroup, limits), cgroups.EarlyJoinDirectory(cgroup, limits));
            if (!stage.AwaitReady()) throw new MiniRunException($"container \"{id}\": its init stage failed (it said why above)");
            string fifo = Path.Combine(dir, ExecFifo);
            ProcessControl.MakeFifo(fifo);
            if (init.InUserNamespace)
            {
                // The stage opens the fifo as root of its user namespace, an ordinary user here: as runc's, the state
                // directory can be passed through (not listed) and the fifo written by anyone; only `start` reads it.
                Syscalls.Chmod(dir, 0x1c9);
                Syscalls.Chmod(fifo, 0x192);
            }
            var state = new BundleState
            {
                Id = id, Bundle = bundle, Rootfs = rootfs, Pid = stage.Pid,
                PidStartTicks = HostProcess.Find(stage.Pid)?.StartTicks ?? 0, Cgroup = cgroup,
                Created = DateTimeOffset.UtcNow, Annotations = spec.Annotations, Hooks = spec.Hooks,
            };
            // The namespaces exist, the process has not run: a failing hook is create's error, and the container goes.
            ContainerHooks.Run("prestart", spec.Hooks?.Prestart, OciStateOf(state, "created"), Path.Combine(dir, "hook"));
            ContainerHooks.Run("createRuntime", spec.Hooks?.CreateRuntime, OciStateOf(state, "created"), Path.Combine(dir, "hook"));
            AtomicFile.WriteAllBytes(Path.Combine(dir, StateFile), BundleStateFile.Write(state), durable: false);
            stage.Park(fifo); // from here it waits for `start`, and outlives us: the shim that called us is its parent now
            return state;
        }
        catch
        {
            stage?.Dispose();
            cgroups?.Remove(cgroup);
            DirectoryTree.Remove(dir);
            throw;
        }
    }

    /// <summary>Lets the created container's process run: the stage's exec.fifo opened, a byte read, the fifo removed.</summary>
    public void Start(string id)
    {
        BundleState state = Read(id);
        string fifo = Path.Combine(Directory(id), ExecFifo);
        if (!File.Exists(fifo)) throw new MiniRunException($"container \"{id}\" is {Status(state)}: only a created container can be started");
        // The stage opens its end, writes a byte, and keeps the end open (close-on-exec) until it has execve()d the
        // process: a signal sent after `start` returns reaches the process, not the stage (runc's init waits on the
        // fifo right before execve). A stage that is gone meanwhile never writes: it is watched while we wait.
        using (var reader = new FifoReader(fifo))
        {
            bool started = false;
            while (true)
            {
                int? next = reader.Read(timeoutMs: 50);
                if (next is null && IsAlive(state)) continue;
                if (next is null or -1 && !started) throw new MiniRunException($"container \"{id}\": its init stage is gone");
                if (next is null or -1) break;
                started = true;
            }
        }
        File.Delete(fifo);
        try { ContainerHooks.Run("poststart", state.Hooks?.Poststart, OciStateOf(state, "running"), Path.Combine(Directory(id), "hook")); }
        catch (Exception e) when (e is MiniRunException or IOException) { Warn(e.Message); }
    }

    private static OciState OciStateOf(BundleState state, string status) => new()
    {
        OciVersion = OciSpec.Version, Id = state.Id, Status = status, Pid = status == "stopped" ? 0 : state.Pid,
        Bundle = state.Bundle, Rootfs = state.Rootfs, Created = state.Created, Annotations = state.Annotations,
    };

    public OciState State(string id)
    {
        BundleState state = Read(id);
        return OciStateOf(state, Status(state));
    }

    /// <param name="all">every process of its cgroup (runc's --all, which a stopped container's leftovers get too).</param>
    public void Kill(string id, Signal signal, bool all = false)
    {
        BundleState state = Read(id);
        if (all)
        {
            foreach (int pid in Processes(id))
                try { Syscalls.Kill(pid, signal); }
                catch (NativeException e) when (e.Errno == Errnos.ESRCH) { } // gone meanwhile
            return;
        }
        if (Status(state) == "stopped") throw new MiniRunException($"container \"{id}\" is not running");
        Syscalls.Kill(state.Pid, signal);
    }

    /// <summary>`run` in the foreground: starts the container this process created (its init is our child) and waits for it, forwarding signals.</summary>
    public int StartAndWait(string id)
    {
        BundleState state = Read(id);
        using var forwarding = new SignalForwarding(state.Pid, SandboxLauncher.DefaultStopTimeout);
        Start(id);
        return forwarding.WaitForExit();
    }

    /// <summary>Removes a stopped container (with <paramref name="force"/>, kills it first): its cgroup and its state.</summary>
    public void Delete(string id, bool force)
    {
        string dir = Directory(id);
        BundleState? state = TryRead(id);
        string? status = state is null ? null : Status(state);
        if (state is not null && status != "stopped")
        {
            if (!force && status != "created") throw new MiniRunException($"container \"{id}\" is running: stop it first, or delete --force");
            Syscalls.Kill(state.Pid, Signal.Kill);
            for (int i = 0; i < 500 && IsAlive(state); i++) Thread.Sleep(10); // not our child: the shim reaps it
        }
        if (state is not null && CgroupDetector.Detect() is { } cgroups)
        {
            CgroupProcesses.KillAll(cgroups, state.Cgroup); // left behind without a PID namespace of its own, as runc's delete kills them
            cgroups.Remove(state.Cgroup);
        }
        if (System.IO.Directory.Exists(dir)) DirectoryTree.Remove(dir);
        else if (state is null) throw new NotFoundException($"container \"{id}\" does not exist");
        if (state is null) return;
        try { ContainerHooks.Run("poststop", state.Hooks?.Poststop, OciStateOf(state, "stopped"), dir + ".poststop"); }
        catch (Exception e) when (e is MiniRunException or IOException) { Warn(e.Message); }
    }

    /// <summary>stopped once its process is gone; created while it waits on exec.fifo; running after `start`; paused while frozen.</summary>
    private string Status(BundleState state) =>
        !IsAlive(state) ? "stopped" : File.Exists(Path.Combine(Directory(state.Id), ExecFifo)) ? "created"
        : File.Exists(Path.Combine(Directory(state.Id), PausedMark)) ? "paused" : "running";

    /// <summary>
    /// Starts one more process in the container (runtime-spec has no exec; runc's): in its namespaces, root and cgroup,
    /// with config.json's seccomp filter and session keyring, through the exec stage `minirun exec` uses.
    /// </summary>
    /// <param name="consoleSocket">with process.terminal: where the pty's master is sent.</param>
    /// <param name="detach">return once the command runs (its PID), leaving it to the caller's subreaper; otherwise
    /// wait for it, forwarding signals, and return its exit status.</param>
    /// <param name="started">called with the command's PID once it runs (to write --pid-file).</param>
    public int Exec(string id, OciProcess process, string? consoleSocket, bool detach, Action<int>? started = null)
    {
        BundleState state = Read(id);
        string status = Status(state);
        if (status is not ("running" or "created")) throw new MiniRunException($"container \"{id}\" is {status}: exec needs a running container");
        if (process.Terminal && consoleSocket is null) throw new MiniRunException("exec: a terminal (--tty) needs --console-socket, where its master is sent");
        if (!process.Terminal && consoleSocket is not null) throw new MiniRunException("exec: --console-socket is given without --tty");
        if (!Path.IsPathRooted(process.Cwd)) throw new MiniRunException($"exec: the working directory \"{process.Cwd}\" is not an absolute path");
        OciSpec config = OciSpecJson.Read(state.Bundle);
        ExecSpec spec = ContainerExec.Spec(state.Pid, state.Cgroup, ResourcesSection.ToLimits(config.Linux?.Resources),
            StagePlan.Process(process, new StageFacts
            {
                RootFs = state.Rootfs,
                Warn = Warn,
                SeccompFilter = config.Linux?.Seccomp is { } section ? Compile(section, process) : null,
                SessionKeyring = ContainerStageSpecs.SessionKeyringName(id),
                Home = "/root",
                LastCapability = SpecHost.Current().LastCapability,
            }),
            consoleSocket is null ? null : Path.GetFullPath(consoleSocket));
        return ContainerExec.Launch(spec, detach, started, waitUntilExecuted: true);
    }

    /// <summary>The process of the container's config.json: what `exec COMMAND` starts from (runc's exec without --process).</summary>
    public OciProcess ConfigProcess(string id) =>
        OciSpecJson.Read(Read(id).Bundle).Process ?? throw new MiniRunException($"container \"{id}\": its config.json has no process");

    /// <summary>The PIDs of every process in the container's cgroup (runc ps), as the host numbers them.</summary>
    public List<int> Processes(string id)
    {
        BundleState state = Read(id);
        var pids = new SortedSet<int>();
        foreach (string dir in CgroupDetector.Detect()?.Directories(state.Cgroup) ?? [])
        {
            if (!System.IO.Directory.Exists(dir)) continue;
            foreach (string group in System.IO.Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Prepend(dir))
                foreach (string line in (KernelFiles.TryReadAll(Path.Combine(group, "cgroup.procs")) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    pids.Add(int.Parse(line, System.Globalization.CultureInfo.InvariantCulture));
        }
        return [.. pids];
    }

    /// <summary>Freezes every process of the container (the cgroup freezer): `state` says paused until <see cref="Resume"/>.</summary>
    public void Pause(string id)
    {
        BundleState state = Read(id);
        if (Status(state) != "running") throw new MiniRunException($"container \"{id}\" is {Status(state)}: only a running container can be paused");
        (CgroupDetector.Detect() ?? throw new MiniRunException("pause: this machine has no cgroups")).Freeze(state.Cgroup);
        File.WriteAllText(Path.Combine(Directory(id), PausedMark), "");
    }

    public void Resume(string id)
    {
        BundleState state = Read(id);
        if (Status(state) != "paused") throw new MiniRunException($"container \"{id}\" is {Status(state)}, not paused");
        (CgroupDetector.Detect() ?? throw new MiniRunException("resume: this machine has no cgroups")).Thaw(state.Cgroup);
        File.Delete(Path.Combine(Directory(id), PausedMark));
    }

    /// <summary>Writes new limits into the container's cgroup (runc update): memory, swap, pids and CPU; the device rules stay.</summary>
    public void Update(string id, LinuxResources resources)
    {
        BundleState state = Read(id);
        if (Status(state) == "stopped") throw new MiniRunException($"container \"{id}\" is stopped: nothing to update");
        (CgroupDetector.Detect() ?? throw new MiniRunException("update: this machine has no cgroups")).Update(state.Cgroup, ResourcesSection.ToLimits(resources));
    }

    /// <summary>The same process (PID and start time), and not a zombie the shim has yet to reap.</summary>
    private static bool IsAlive(BundleState state) => new HostProcess(state.Pid, state.PidStartTicks).IsAlive;

    private BundleState Read(string id) => TryRead(id) ?? throw new NotFoundException($"container \"{id}\" does not exist");

    private BundleState? TryRead(string id)
    {
        string file = Path.Combine(Directory(id), StateFile);
        if (!File.Exists(file)) return null;
        return BundleStateFile.Read(File.ReadAllBytes(file)) ?? throw new MiniRunException($"{file}: unreadable");
    }

    /// <summary>The section's filter, cached under --root by the section's own text (see <see cref="SeccompFilters.Compiled"/>).</summary>
    private SeccompFilter Compile(LinuxSeccomp section, OciProcess? process) =>
        SeccompFilters.Compiled(Path.Combine(stateRoot, SeccompCache),
            section.ReadText is { } text ? System.Text.Encoding.UTF8.GetBytes(text) : JsonSerializer.SerializeToUtf8Bytes(section, OciSeccompJsonContext.Default.LinuxSeccomp),
            StagePlan.CapabilitySet(process?.Capabilities), "config.json's linux.seccomp", _ => SeccompSection.ToProfile(section));
}
