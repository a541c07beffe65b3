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
    private const string StateFile = "state.json", ExecFifo = "exec.fifo";

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
    public BundleState Create(string id, string bundle, bool noPivot = false, bool noNewKeyring = false)
    {
        string dir = Directory(id);
        bundle = Path.GetFullPath(bundle);
        OciSpec spec = OciSpecJson.Read(bundle);
        string rootfs = Path.GetFullPath(spec.Root?.Path ?? throw new MiniRunException($"{bundle}/config.json: root.path is missing"), bundle);
        if (!System.IO.Directory.Exists(rootfs)) throw new MiniRunException($"{bundle}/config.json: root.path {rootfs} is not a directory");
        System.IO.Directory.CreateDirectory(stateRoot);
        if (!Syscalls.TryMakeDirectory(dir, 0x1c0)) throw new MiniRunException($"container \"{id}\" already exists (state in {dir})");
        ICgroupManager? cgroups = CgroupDetector.Detect();
        string cgroup = (spec.Linux?.CgroupsPath ?? "/" + CgroupNames.Parent + "-runtime/" + id).Trim('/');
        CgroupLimits limits = ResourcesSection.ToLimits(spec.Linux?.Resources);
        InitStageProcess? stage = null;
        try
        {
            var host = SpecHost.Current();
            InitSpec init = StagePlan.Init(spec, new StageFacts
            {
                RootFs = rootfs,
                NoPivot = noPivot,
                CgroupJoinFiles = cgroups?.SelfJoinFiles(cgroup, limits) ?? [],
                CgroupEarlyJoinDirectory = cgroups?.EarlyJoinDirectory(cgroup, limits),
                Cgroups = cgroups,
                SeccompFilter = spec.Linux?.Seccomp is { } section ? Compile(section, spec.Process) : null,
                SessionKeyring = noNewKeyring ? null : ContainerStageSpecs.SessionKeyringName(id),
                Home = "/root",
                LastCapability = host.LastCapability,
                KindOf = ContainerMounts.KindInRoot(rootfs),
            });
            // pivot_root needs the new root to be a mount point: the bundle's rootfs is bound onto itself first (as runc does).
            init.Mounts.Insert(0, new MountRecord("bind", rootfs, rootfs, MountFlags.Bind | MountFlags.Recursive));
            stage = InitStageProcess.Spawn(pidNamespace: init.PidNamespacePath);
            stage.Send(init);
            cgroups?.Create(cgroup, limits);
            if (!stage.AwaitReady()) throw new MiniRunException($"container \"{id}\": its init stage failed (it said why above)");
            string fifo = Path.Combine(dir, ExecFifo);
            ProcessControl.MakeFifo(fifo);
            var state = new BundleState
            {
                Id = id, Bundle = bundle, Rootfs = rootfs, Pid = stage.Pid,
                PidStartTicks = HostProcess.Find(stage.Pid)?.StartTicks ?? 0, Cgroup = cgroup,
                Created = DateTimeOffset.UtcNow, Annotations = spec.Annotations, Hooks = spec.Hooks,
            };
            // The namespaces exist, the process has not run: a failing hook is create's error, and the container goes.
            ContainerHooks.Run("prestart", spec.Hooks?.Prestart, OciStateOf(state, "created"), Path.Combine(dir, "hook"));
            ContainerHooks.Run("createRuntime", spec.Hooks?.CreateRuntime, OciStateOf(state, "created"), Path.Combine(dir, "hook"));
            AtomicFile.WriteAllBytes(Path.Combine(dir, StateFile), JsonSerializer.SerializeToUtf8Bytes(state, BundleStateJsonContext.Default.BundleState), durable: false);
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
        using (var reader = new FileStream(fifo, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1)) // blocks until the stage opens its end: it is parked there
        {
            if (reader.ReadByte() < 0) throw new MiniRunException($"container \"{id}\": its init stage is gone");
            // The stage keeps its end open (close-on-exec) until it has execve()d the process: a signal sent after
            // `start` returns reaches the process, not the stage (runc's init waits on the fifo right before execve).
            while (reader.ReadByte() >= 0) { }
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

    public void Kill(string id, Signal signal)
    {
        BundleState state = Read(id);
        if (Status(state) == "stopped") throw new MiniRunException($"container \"{id}\" is not running");
        Syscalls.Kill(state.Pid, signal);
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
        if (state is not null) CgroupDetector.Detect()?.Remove(state.Cgroup);
        if (System.IO.Directory.Exists(dir)) DirectoryTree.Remove(dir);
        else if (state is null) throw new NotFoundException($"container \"{id}\" does not exist");
        if (state is null) return;
        try { ContainerHooks.Run("poststop", state.Hooks?.Poststop, OciStateOf(state, "stopped"), dir + ".poststop"); }
        catch (Exception e) when (e is MiniRunException or IOException) { Warn(e.Message); }
    }

    /// <summary>stopped once its process is gone; created while it waits on exec.fifo; running after `start`.</summary>
    private string Status(BundleState state) =>
        !IsAlive(state) ? "stopped" : File.Exists(Path.Combine(Directory(state.Id), ExecFifo)) ? "created" : "running";

    /// <summary>The same process (PID and start time), and not a zombie the shim has yet to reap.</summary>
    private static bool IsAlive(BundleState state) => new HostProcess(state.Pid, state.PidStartTicks).IsAlive;

    private BundleState Read(string id) => TryRead(id) ?? throw new NotFoundException($"container \"{id}\" does not exist");

    private BundleState? TryRead(string id)
    {
        string file = Path.Combine(Directory(id), StateFile);
        if (!File.Exists(file)) return null;
        return JsonSerializer.Deserialize(File.ReadAllBytes(file), BundleStateJsonContext.Default.BundleState)
               ?? throw new MiniRunException($"{file}: unreadable");
    }

    private static SeccompFilter Compile(LinuxSeccomp section, OciProcess? process)
    {
        KernelVersion kernel = KernelVersion.TryParse(KernelFiles.TryReadFirstLine("/proc/sys/kernel/osrelease") ?? "") ?? new KernelVersion(0, 0);
        (byte[] program, _) = SeccompCompiler.Compile(SeccompSection.ToProfile(section), StagePlan.CapabilitySet(process?.Capabilities), kernel);
        return new SeccompFilter(program, "config.json's linux.seccomp");
    }
}
