using MiniRun.Native;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Sandbox;

/// <summary>
/// The one message from the parent to the init stage (sent over fd 3): everything already resolved by the parent,
/// so the init stage only does what must be done from inside the namespaces.
/// </summary>
public sealed class InitSpec
{
    /// <summary>The merged overlay directory that becomes "/".</summary>
    public required string RootFs { get; init; }
    public bool UseChroot { get; init; }
    public required string Hostname { get; init; }
    public bool IsolateNetwork { get; init; }
    /// <summary>
    /// The namespaces the init stage unshares itself (mount, UTS, IPC, network): it is spawned ahead of its spec, in a
    /// new PID namespace only, so its mount namespace must be copied after the overlay is mounted.
    /// </summary>
    public NamespaceFlags Namespaces { get; init; }
    /// <summary>A cgroup namespace of its own, unshared once the stage has joined its cgroup (an OCI spec may leave it out).</summary>
    public bool CgroupNamespace { get; init; } = true;
    /// <summary>
    /// The cgroup files the init stage writes "0" to on the parent's go, before it enters the root
    /// (<see cref="Cgroups.ICgroupManager.SelfJoinFiles"/>): the parent creates the cgroup while the stage sets up the root.
    /// </summary>
    public List<string> CgroupJoinFiles { get; init; } = [];
    /// <summary>
    /// The unified (v2) group the init stage makes if missing and moves its whole process into as soon as it has the
    /// spec (<see cref="Cgroups.ICgroupManager.EarlyJoinDirectory"/>), or null.
    /// </summary>
    public string? CgroupEarlyJoinDirectory { get; init; }
    /// <summary>
    /// /sys/fs/cgroup inside (targets below RootFs), mounted after the go: once the stage has joined its cgroups and
    /// unshared its cgroup namespace, so that each mount's root is the container's own group.
    /// </summary>
    public List<MountRecord> CgroupMounts { get; init; } = [];
    /// <summary>Mounts inside the root, in order (targets are absolute host paths below RootFs).</summary>
    public List<MountRecord> Mounts { get; init; } = [];
    public List<DeviceNode> Devices { get; init; } = [];
    /// <summary>Existing namespaces the stage joins (linux.namespaces[].path) before it unshares the others; PID is joined at the spawn.</summary>
    public List<NamespacePath> JoinNamespaces { get; init; } = [];
    /// <summary>The PID namespace the stage is born in (the parent joins it for the spawn); null: a new one.</summary>
    public string? PidNamespacePath { get; init; }
    /// <summary>
    /// The user namespace the stage is cloned into (the parent's to make: it writes the maps; not sent to the stage), or
    /// null. In one, the stage cannot make device nodes (mknod(2) is the host's root's alone): it binds the host's.
    /// </summary>
    public UserNamespace? UserNamespace { get; init; }
    /// <summary>The stage runs in a user namespace of its own (<see cref="UserNamespace"/>, which the stage is not sent).</summary>
    public bool InUserNamespace { get => _inUserNamespace || UserNamespace is not null; init => _inUserNamespace = value; }
    private readonly bool _inUserNamespace;
    /// <summary>Written right after the unshare, through this stage's /proc: the files of its own namespaces (sysctl(8)).</summary>
    public List<KernelSetting> KernelSettings { get; init; } = [];
    /// <summary>
    /// linux.rootfsPropagation, applied to "/" once the container is inside it: the host's "/" stays rslave (nothing
    /// mounted in the container reaches the host), the container's own root is shared, private… as the spec asks.
    /// </summary>
    public MountFlags RootPropagation { get; init; }
    public List<SymlinkSpec> Symlinks { get; init; } = [];
    /// <summary>Mounts made once inside the new root (targets are container paths): the --read-only remount of "/".</summary>
    public List<MountRecord> RootMounts { get; init; } = [];
    /// <summary>process.terminal: the unix socket a pty's master goes to (--console-socket, see <see cref="ContainerConsole"/>), or null.</summary>
    public string? ConsoleSocket { get; init; }
    /// <summary>process.terminal for minirun's own run -t: the master goes to the parent over the stage's channel (fd 3).</summary>
    public bool ConsoleOverChannel { get; init; }
    /// <summary>The command and who it runs as: what the exec stage gets too (<see cref="ExecSpec"/>).</summary>
    public required StageProcess Process { get; init; }
    /// <summary>--explain: the path shorthands (NAME=VALUE) the parent's narration has defined, which the stage's uses too.</summary>
    public List<string> ExplainShorthands { get; set; } = [];
}

/// <summary>A device node to create in the container's /dev (path relative to the root): character, or block when <paramref name="Block"/>.</summary>
public sealed record DeviceNode(string Path, uint Major, uint Minor, uint Mode, bool Block = false)
{
    /// <summary>A named pipe (linux.devices type "p"): no numbers.</summary>
    public bool Fifo { get; init; }
    /// <summary>The node's owner when the spec gives one; null: root's, as mknod made it.</summary>
    public uint? Uid { get; init; }
    public uint? Gid { get; init; }

    /// <summary>The mode mknod(2) takes: the file type and the permission bits.</summary>
    public uint FileMode => (uint)(Fifo ? Syscalls.S_IFIFO : Block ? Syscalls.S_IFBLK : Syscalls.S_IFCHR) | Mode;
}

/// <summary>A namespace of <see cref="Type"/> to join, by the path of its file (/proc/PID/ns/net, a bind mount of one).</summary>
public sealed record NamespacePath(NamespaceFlags Type, string Path);

/// <summary>A value written to a kernel file of the container's namespaces before its root is entered (a sysctl, oom_score_adj).</summary>
public sealed record KernelSetting(string Path, string Value);

/// <summary>A symlink to create inside the root after the mounts (path relative to the root).</summary>
public sealed record SymlinkSpec(string Path, string Target);
