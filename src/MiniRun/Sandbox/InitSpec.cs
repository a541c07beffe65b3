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
    public List<SymlinkSpec> Symlinks { get; init; } = [];
    /// <summary>Mounts made once inside the new root (targets are container paths): the --read-only remount of "/".</summary>
    public List<MountRecord> RootMounts { get; init; } = [];
    /// <summary>linux.sysctl: each written below /proc/sys once the stage has its namespaces (runc's writeSystemProperty).</summary>
    public List<SysctlSetting> Sysctls { get; init; } = [];
    /// <summary>process.terminal: the unix socket a pty's master goes to (--console-socket, see <see cref="ContainerConsole"/>), or null.</summary>
    public string? ConsoleSocket { get; init; }
    /// <summary>The command and who it runs as: what the exec stage gets too (<see cref="ExecSpec"/>).</summary>
    public required StageProcess Process { get; init; }
}

/// <summary>A device node to create in the container's /dev (path relative to the root): character, or block when <paramref name="Block"/>.</summary>
public sealed record DeviceNode(string Path, uint Major, uint Minor, uint Mode, bool Block = false);

/// <summary>One linux.sysctl entry: its dotted name (net.ipv4.ping_group_range) and value.</summary>
public sealed record SysctlSetting(string Key, string Value)
{
    /// <summary>The file under /proc/sys it is written to (dots are the path's separators, as sysctl(8) spells them).</summary>
    public string ProcPath => "/proc/sys/" + Key.Replace('.', '/');
}

/// <summary>A symlink to create inside the root after the mounts (path relative to the root).</summary>
public sealed record SymlinkSpec(string Path, string Target);
