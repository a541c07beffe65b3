using MiniRun.Common;
using MiniRun.Containers;
using MiniRun.Native;
using MiniRun.Sandbox;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// The OCI spec → what the stages are sent: the init stage's <see cref="InitSpec"/> (mounts as mount(2) records
/// below the root, device nodes, namespaces to unshare, the process) and the <see cref="StageProcess"/> the init and
/// exec stages both run. Pure: every fact of the host comes in <see cref="StageFacts"/>. What a spec asks and MiniRun
/// cannot do yet is refused by name, never ignored.
/// </summary>
public static class StagePlan
{
    /// <summary>
    /// Where the init stage is born (a new PID namespace, one joined by path, or the host's when the spec has none; a
    /// user namespace), which is all its spawn needs: the OCI runtime spawns it before planning the rest, so that its
    /// start overlaps the planning.
    /// </summary>
    public static (bool NewPidNamespace, string? PidNamespacePath, UserNamespace? User) Birth(OciSpec spec)
    {
        OciLinux linux = spec.Linux ?? new OciLinux();
        (NamespaceFlags namespaces, _, List<NamespacePath> joins, bool newPid) = Namespaces(linux.Namespaces);
        return (newPid, joins.Find(j => j.Type == NamespaceFlags.Pid)?.Path, User(linux, namespaces, joins));
    }

    public static InitSpec Init(OciSpec spec, StageFacts facts)
    {
        OciProcess process = spec.Process ?? throw Unsupported("process", "a container needs a process to run");
        OciLinux linux = spec.Linux ?? new OciLinux();
        Check(spec, linux);
        (NamespaceFlags namespaces, bool isolateNetwork, List<NamespacePath> joins, _) = Namespaces(linux.Namespaces);
        UserNamespace? user = User(linux, namespaces, joins);
        string rootfs = facts.RootFs;
        var mounts = new List<MountRecord>();
        List<MountRecord> cgroupMounts = [];
        foreach (OciMount mount in spec.Mounts ?? [])
        {
            if (mount.Type == "cgroup" && mount.Destination == "/sys/fs/cgroup")
            {
                // The host's hierarchies, each mounted as itself, after the stage has joined its cgroups (runc's mountCgroupV1).
                bool readOnly = MountOptions.Parse(mount.Options).Flags.HasFlag(MountFlags.ReadOnly);
                cgroupMounts = facts.Cgroups?.MountsInside(rootfs, privileged: !readOnly) ?? [];
                continue;
            }
            // sysfs needs the network namespace's owner: the host's, for a host network in any user namespace (rootless too).
            mounts.AddRange(Mount((user is not null || RootlessMode.Active) && !isolateNetwork ? SysfsOfTheHost(mount) : mount, rootfs));
        }
        if (facts.Terminal is { } terminal) mounts.Add(ContainerMounts.Console(rootfs, terminal));
        mounts.AddRange(ContainerMounts.Masks(rootfs, facts.KindOf, linux.MaskedPaths ?? []));
        mounts.AddRange(ContainerMounts.ReadOnly(rootfs, facts.KindOf, linux.ReadonlyPaths ?? []));
        return new InitSpec
        {
            CgroupNamespace = namespaces.HasFlag(NamespaceFlags.Cgroup),
            RootFs = rootfs,
            UseChroot = facts.NoPivot,
            Hostname = spec.Hostname ?? "",
            IsolateNetwork = isolateNetwork,
            Namespaces = namespaces & ~(NamespaceFlags.Cgroup | NamespaceFlags.User),
            JoinNamespaces = joins.Where(j => j.Type is not (NamespaceFlags.Pid or NamespaceFlags.User)).ToList(),
            PidNamespacePath = joins.Find(j => j.Type == NamespaceFlags.Pid)?.Path,
            UserNamespace = user,
            InUserNamespace = RootlessMode.Active, // devices bound from the host's /dev: mknod(2) is refused in any user namespace
            // In a user namespace the stage is no owner of the host's cgroup files: its parent moves it (CgroupJoin.FromOutside).
            CgroupJoinFiles = user is null ? [.. facts.CgroupJoinFiles] : [],
            CgroupEarlyJoinDirectory = user is null ? facts.CgroupEarlyJoinDirectory : null,
            CgroupMounts = cgroupMounts,
            Mounts = mounts,
            Devices = Devices(linux.Devices),
            // A sysctl is the container's own in a namespace it has apart from the host's: a new one or one joined by path.
            KernelSettings = [.. Sysctls(linux.Sysctl, joins.Aggregate(namespaces, (own, j) => own | j.Type)), .. OomScoreAdjustment(process.OomScoreAdj)],
            Symlinks = ContainerMounts.Symlinks(withCore: facts.KindOf("/proc/kcore") is not null),
            RootMounts = spec.Root?.Readonly == true ? [ContainerMounts.ReadOnlyRoot()] : [],
            RootPropagation = RootPropagation(linux.RootfsPropagation),
            ConsoleSocket = Console(process, facts),
            ConsoleOverChannel = process.Terminal && facts.ConsoleOverChannel,
            Process = Process(process, facts),
        };
    }

    /// <summary>The process part alone: what the exec stage runs in a container already set up.</summary>
    public static StageProcess Process(OciProcess process, StageFacts facts)
    {
        CheckProcess(process);
        WarnOfUnknownCapabilities(process.Capabilities, facts.Warn);
        ulong permitted = CapabilitySet(process.Capabilities);
        (ulong Inheritable, ulong Ambient) inherited = InheritedSets(process.Capabilities, permitted);
        return new StageProcess
        {
            Uid = process.User.Uid,
            Gid = process.User.Gid,
            Groups = [.. process.User.AdditionalGids ?? []],
            Capabilities = permitted,
            InheritableCapabilities = inherited.Inheritable,
            AmbientCapabilities = inherited.Ambient,
            ResourceLimits = Limits(process.Rlimits),
            Umask = process.User.Umask ?? StageProcess.DefaultUmask,
            LastCapability = facts.LastCapability,
            NoNewPrivileges = process.NoNewPrivileges,
            SessionKeyring = facts.SessionKeyring,
            SeccompFilter = facts.SeccompFilter,
            WorkingDir = process.Cwd,
            Args = [.. process.Args],
            Env = ContainerEnvironment.WithHome([.. process.Env ?? []], facts.Home),
        };
    }

    /// <summary>The bounding = permitted = effective set MiniRun gives, as a mask (Docker's three sets are one list).</summary>
    public static ulong CapabilitySet(LinuxCapabilities? capabilities)
    {
        if (capabilities is null) return 0;
        ulong permitted = Mask(capabilities.Permitted);
        // The generator's three sets are one list: parsed once on the start path.
        ulong bounding = ReferenceEquals(capabilities.Bounding, capabilities.Permitted) ? permitted : Mask(capabilities.Bounding);
        ulong effective = ReferenceEquals(capabilities.Effective, capabilities.Permitted) ? permitted : Mask(capabilities.Effective);
        if (bounding != permitted || effective != permitted)
            throw Unsupported("process.capabilities", "bounding, effective and permitted must be the same set");
        return permitted;
    }

    /// <summary>The inheritable and ambient sets; an ambient capability must be permitted and inheritable (capabilities(7)).</summary>
    private static (ulong Inheritable, ulong Ambient) InheritedSets(LinuxCapabilities? capabilities, ulong permitted)
    {
        if (capabilities is null) return (0, 0);
        ulong inheritable = Mask(capabilities.Inheritable), ambient = Mask(capabilities.Ambient);
        if ((ambient & ~(permitted & inheritable)) != 0)
            throw Unsupported("process.capabilities.ambient", "each ambient capability must also be permitted and inheritable");
        return (inheritable, ambient);
    }

    /// <summary>process.rlimits by the names getrlimit(2) gives them; an unknown one is refused by name.</summary>
    private static List<ResourceLimit> Limits(List<PosixRlimit>? rlimits)
    {
        var limits = new List<ResourceLimit>();
        foreach (PosixRlimit rlimit in rlimits ?? [])
        {
            int resource = Array.IndexOf(RlimitNames, rlimit.Type);
            if (resource < 0) throw Unsupported($"process.rlimits ({rlimit.Type})", "not a resource getrlimit(2) knows");
            if (rlimit.Soft > rlimit.Hard) throw Unsupported($"process.rlimits ({rlimit.Type})", "the soft limit is above the hard one");
            limits.Add(new ResourceLimit(rlimit.Type, resource, rlimit.Soft, rlimit.Hard));
        }
        return limits;
    }

    /// <summary>Index = the resource's number (asm-generic/resource.h).</summary>
    private static readonly string[] RlimitNames =
    [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE",
        "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ];

    /// <summary>A name no capability has is left out (see <see cref="WarnOfUnknownCapabilities"/>).</summary>
    private static ulong Mask(List<string>? names)
    {
        ulong mask = 0;
        foreach (string name in names ?? [])
            if (Capabilities.TryParse(name) is { } number) mask |= 1UL << number;
        return mask;
    }

    /// <summary>
    /// runtime-spec says a capability that maps to nothing in the kernel MUST be an error; runc warns and ignores it, and
    /// engines rely on that (a spec written for a newer kernel than the node's still runs). MiniRun does as runc does:
    /// the name is left out of every set, with one warning. The CLI's --cap-add still refuses it, as Docker's daemon does.
    /// </summary>
    private static void WarnOfUnknownCapabilities(LinuxCapabilities? capabilities, Action<string>? warn)
    {
        if (capabilities is null || warn is null) return;
        List<string> unknown = [];
        foreach (List<string>? set in new[] { capabilities.Bounding, capabilities.Effective, capabilities.Permitted, capabilities.Inheritable, capabilities.Ambient })
            foreach (string name in set ?? [])
                if (Capabilities.TryParse(name) is null && !unknown.Contains(name)) unknown.Add(name);
        if (unknown.Count > 0)
            warn($"config.json: process.capabilities: ignoring {string.Join(", ", unknown)}: no capability of that name (runc ignores it too)");
    }

    /// <summary>
    /// The namespaces the init stage unshares itself (all but PID, in which it is born, and cgroup, after the join), and
    /// those it joins by path instead (setns(2); PID at the spawn). A type left out is the host's (Docker's --pid host).
    /// </summary>
    private static (NamespaceFlags Unshared, bool IsolateNetwork, List<NamespacePath> Joined, bool NewPid) Namespaces(List<LinuxNamespace>? namespaces)
    {
        NamespaceFlags flags = NamespaceFlags.None, seen = NamespaceFlags.None;
        var joins = new List<NamespacePath>();
        foreach (LinuxNamespace ns in namespaces ?? [])
        {
            NamespaceFlags type = ns.Type switch
            {
                "pid" => NamespaceFlags.Pid, "ipc" => NamespaceFlags.Ipc, "uts" => NamespaceFlags.Uts, "mount" => NamespaceFlags.Mount,
                "network" => NamespaceFlags.Network, "cgroup" => NamespaceFlags.Cgroup, "user" => NamespaceFlags.User,
                _ => throw Unsupported($"linux.namespaces ({ns.Type})", "only pid, ipc, uts, mount, network, cgroup and user are supported"),
            };
            if (seen.HasFlag(type)) throw Unsupported($"linux.namespaces ({ns.Type})", "each type once");
            seen |= type;
            if (ns.Path is not (null or "")) // runtime-spec: a path is joined, none is a new namespace
            {
                if (type == NamespaceFlags.Cgroup) throw Unsupported($"linux.namespaces (cgroup, path {ns.Path})", "joining a cgroup namespace is not supported yet");
                if (!ns.Path.StartsWith('/')) throw Unsupported($"linux.namespaces ({ns.Type}, path {ns.Path})", "a path is absolute");
                joins.Add(new NamespacePath(type, ns.Path));
            }
            else flags |= type;
        }
        if (!seen.HasFlag(NamespaceFlags.Mount)) throw Unsupported("linux.namespaces", "minirun gives a container a mount namespace apart from the host's (a new one, or one joined by path)");
        // cgroup: unshared by the stage after it joins
        return (flags & ~NamespaceFlags.Pid, flags.HasFlag(NamespaceFlags.Network), joins, flags.HasFlag(NamespaceFlags.Pid));
    }

    /// <summary>
    /// The mount, then its propagation in a call of its own: mount(2) with a propagation flag only changes the type of
    /// an existing mount, whatever else the call asks.
    /// </summary>
    private static IEnumerable<MountRecord> Mount(OciMount mount, string rootfs)
    {
        if (!mount.Destination.StartsWith('/')) throw Unsupported($"mounts ({mount.Destination})", "a destination is an absolute container path");
        (MountFlags flags, string? data) = MountOptions.Parse(mount.Options);
        const MountFlags propagation = MountFlags.Shared | MountFlags.Slave | MountFlags.Private | MountFlags.Unbindable;
        string target = Path.Combine(rootfs, mount.Destination.TrimStart('/'));
        MountFlags own = flags & ~propagation;
        // Recursive belongs to the bind (rbind) and to the propagation change (rshared); MountOptions sets it for either.
        bool recursiveBind = mount.Options?.Contains("rbind") == true;
        if (!recursiveBind) own &= ~MountFlags.Recursive;
        yield return new MountRecord(mount.Type ?? (flags.HasFlag(MountFlags.Bind) ? "bind" : "none"), mount.Source ?? "none", target, own, data);
        // A bind takes no flags of its own (mount(2) ignores them): ro, nosuid, nodev, noexec come with a remount of it.
        if (own.HasFlag(MountFlags.Bind) && (own & ~(MountFlags.Bind | MountFlags.Recursive)) is not MountFlags.None and var bindFlags)
            yield return new MountRecord("bind", "none", target, MountFlags.Remount | MountFlags.Bind | bindFlags);
        if ((flags & propagation) is not MountFlags.None and var change)
        {
            bool recursive = mount.Options?.Any(o => o is "rshared" or "rslave" or "rprivate" or "runbindable") == true;
            yield return new MountRecord("none", "none", target, change | (recursive ? MountFlags.Recursive : MountFlags.None));
        }
    }

    /// <summary>linux.rootfsPropagation as mount(2) flags for the container's "/", once it is the root (None: unset).</summary>
    private static MountFlags RootPropagation(string? propagation) => propagation switch
    {
        null => MountFlags.None,
        "shared" => MountFlags.Shared, "rshared" => MountFlags.Shared | MountFlags.Recursive,
        "slave" => MountFlags.Slave, "rslave" => MountFlags.Slave | MountFlags.Recursive,
        "private" => MountFlags.Private, "rprivate" => MountFlags.Private | MountFlags.Recursive,
        "unbindable" => MountFlags.Unbindable, "runbindable" => MountFlags.Unbindable | MountFlags.Recursive,
        _ => throw Unsupported($"linux.rootfsPropagation ({propagation})", "one of shared, slave, private, unbindable, or their r-forms"),
    };

    /// <summary>
    /// linux.sysctl: only the settings of a namespace the container has of its own (runc's list), never the host's.
    /// Written as /proc/sys/a/b/c for "a.b.c".
    /// </summary>
    private static IEnumerable<KernelSetting> Sysctls(Dictionary<string, string>? sysctls, NamespaceFlags namespaces)
    {
        foreach ((string key, string value) in sysctls ?? [])
        {
            NamespaceFlags needs = key switch
            {
                "kernel.msgmax" or "kernel.msgmnb" or "kernel.msgmni" or "kernel.sem" or "kernel.shmall" or "kernel.shmmax" or "kernel.shmmni"
                    or "kernel.shm_rmid_forced" => NamespaceFlags.Ipc,
                _ when key.StartsWith("fs.mqueue.", StringComparison.Ordinal) => NamespaceFlags.Ipc,
                _ when key.StartsWith("net.", StringComparison.Ordinal) => NamespaceFlags.Network,
                "kernel.hostname" or "kernel.domainname" => NamespaceFlags.Uts,
                _ => throw Unsupported($"linux.sysctl ({key})", "not a setting of a namespace the container can have of its own"),
            };
            if (!namespaces.HasFlag(needs))
                throw Unsupported($"linux.sysctl ({key})", $"the container shares this namespace with the host; give it a {needs.ToString().ToLowerInvariant()} namespace of its own");
            if (key.Contains("..", StringComparison.Ordinal) || key.Contains('/', StringComparison.Ordinal))
                throw Unsupported($"linux.sysctl ({key})", "a key is dot-separated names");
            yield return new KernelSetting("/proc/sys/" + key.Replace('.', '/'), value);
        }
    }

    /// <summary>
    /// The user namespace: a new one needs both maps (the stage becomes its root, which must be mapped), a joined one has
    /// its maps already; maps without a user namespace are refused, as runc refuses them.
    /// </summary>
    private static UserNamespace? User(OciLinux linux, NamespaceFlags namespaces, List<NamespacePath> joins)
    {
        bool mapped = linux.UidMappings is { Count: > 0 } || linux.GidMappings is { Count: > 0 };
        if (joins.Find(j => j.Type == NamespaceFlags.User) is { } joined)
        {
            if (mapped) throw Unsupported("linux.uidMappings", "a user namespace joined by path has its maps already: leave them out");
            return new UserNamespace { Path = joined.Path };
        }
        if (!namespaces.HasFlag(NamespaceFlags.User))
            return mapped ? throw Unsupported("linux.uidMappings", "ID maps need a user namespace: add {\"type\": \"user\"} to linux.namespaces") : null;
        if (linux.UidMappings is not { Count: > 0 } || linux.GidMappings is not { Count: > 0 })
            throw Unsupported("linux.namespaces (user)", "a new user namespace needs linux.uidMappings and linux.gidMappings");
        if (linux.UidMappings.Count > 340 || linux.GidMappings.Count > 340) throw Unsupported("linux.uidMappings", "at most 340 lines each (user_namespaces(7))");
        if (UserNamespace.Outside(Maps(linux.UidMappings), 0) is null || UserNamespace.Outside(Maps(linux.GidMappings), 0) is null)
            throw Unsupported("linux.uidMappings", "root (ID 0) inside must be mapped: the runtime sets the container up as that user");
        return new UserNamespace { Uids = Maps(linux.UidMappings), Gids = Maps(linux.GidMappings) };
    }

    private static List<IdMapping> Maps(List<LinuxIdMapping> maps) => maps.ConvertAll(m =>
        m.Size == 0 ? throw Unsupported("linux.uidMappings", "a map's size is at least 1") : new IdMapping(m.ContainerId, m.HostId, m.Size));

    /// <summary>
    /// In a user namespace without a network namespace of its own, the kernel refuses a new sysfs (it shows the network
    /// namespace's devices, which that user namespace does not own): the host's /sys is bound instead, as runc does.
    /// </summary>
    private static OciMount SysfsOfTheHost(OciMount mount) => mount.Type != "sysfs" ? mount : new OciMount
    {
        Destination = mount.Destination, Type = "bind", Source = "/sys",
        Options = ["rbind", .. (mount.Options ?? []).Where(o => o is "ro" or "nosuid" or "nodev" or "noexec")],
    };

    /// <summary>process.oomScoreAdj, set on the stage itself (the command inherits it across execve).</summary>
    private static IEnumerable<KernelSetting> OomScoreAdjustment(int? adjustment)
    {
        if (adjustment is null) yield break;
        if (adjustment is < -1000 or > 1000) throw Unsupported($"process.oomScoreAdj ({adjustment})", "between -1000 and 1000");
        yield return new KernelSetting("/proc/self/oom_score_adj", adjustment.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The spec's nodes, then each of runc's default nodes (config-linux.md "Default Devices") the spec does not name.</summary>
    private static List<DeviceNode> Devices(List<LinuxDevice>? devices)
    {
        var nodes = new List<DeviceNode>();
        foreach (LinuxDevice device in devices ?? [])
        {
            if (device.Type is not ("c" or "b" or "u" or "p")) throw Unsupported($"linux.devices ({device.Path}, type {device.Type})", "a node is of type c, u, b or p");
            if (!device.Path.StartsWith("/dev/", StringComparison.Ordinal) || device.Path.Split('/').Contains(".."))
                throw Unsupported($"linux.devices ({device.Path})", "a node goes below /dev");
            nodes.Add(new DeviceNode(device.Path[1..], (uint)device.Major, (uint)device.Minor, (device.FileMode ?? 0x1b6) & 0xfffu, device.Type == "b")
            {
                Fifo = device.Type == "p", Uid = device.Uid, Gid = device.Gid,
            });
        }
        foreach (DeviceNode node in ContainerMounts.Devices())
            if (!nodes.Exists(n => n.Path == node.Path)) nodes.Add(node);
        return nodes;
    }

    private static void Check(OciSpec spec, OciLinux linux)
    {
        CheckProcess(spec.Process!);
        if (!System.Text.RegularExpressions.Regex.IsMatch(spec.OciVersion ?? "", @"^1\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$"))
            throw Unsupported($"ociVersion ({spec.OciVersion})", "minirun reads configurations of runtime-spec 1.x (\"1.0.2\", \"1.1.0\")");
        UnknownMembers.Refuse("", spec.Unknown, "domainname", "solaris", "windows", "vm", "zos");
        UnknownMembers.Refuse("linux.", linux.Unknown, "timeOffsets", "intelRdt", "personality", "mountLabel", "netDevices", "memoryPolicy");
        foreach (OciMount mount in spec.Mounts ?? []) UnknownMembers.Refuse($"mounts ({mount.Destination}).", mount.Unknown, "uidMappings", "gidMappings");
        if (spec.Hooks?.CreateContainer is { Count: > 0 }) throw Unsupported("hooks.createContainer", "hooks inside the container are not supported yet");
        if (spec.Hooks?.StartContainer is { Count: > 0 }) throw Unsupported("hooks.startContainer", "hooks inside the container are not supported yet");
    }

    private static void CheckProcess(OciProcess process)
    {
        UnknownMembers.Refuse("process.", process.Unknown, "apparmorProfile", "selinuxLabel", "scheduler", "ioPriority", "execCPUAffinity", "commandLine");
        UnknownMembers.Refuse("process.user.", process.User.Unknown, "username");
        if (process.User.Umask is > 0x1ff) throw Unsupported($"process.user.umask ({Convert.ToString(process.User.Umask.Value, 8)})", "a umask is at most 0777");
    }

    /// <summary>process.terminal needs somewhere to send the pty's master (runc refuses the one without the other too).</summary>
    private static string? Console(OciProcess process, StageFacts facts)
    {
        // minirun run -t gives its own terminal (facts.Terminal); the runtime's caller a socket for a new one.
        if (process.Terminal && facts.ConsoleSocket is null && facts.Terminal is null && !facts.ConsoleOverChannel) throw Unsupported("process.terminal", "a terminal needs --console-socket, where its master is sent");
        if (!process.Terminal && facts.ConsoleSocket is not null) throw Unsupported("process.terminal", "--console-socket is given but the process asks for no terminal: set process.terminal to true");
        return facts.ConsoleSocket;
    }

    private static MiniRunException Unsupported(string field, string why) => new($"config.json: {field}: {why}");
}
