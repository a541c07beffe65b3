using MiniRun.Layers;
using MiniRun.Native;
using MiniRun.Sandbox;

namespace MiniRun.Explain;

/// <summary>
/// The steps of a container run as data, built from the same values the runtime uses (the overlay's
/// <see cref="MountRecord"/>, the <see cref="InitSpec"/> sent to the init stage), so what is printed is what is done.
/// </summary>
public static class RunSteps
{
    /// <summary>Unpacking happened once, at load or pull; shown as comments so a learner sees where the layers came from.</summary>
    public static IEnumerable<Step> Layers(IReadOnlyList<Layer> bottomFirst)
    {
        for (int i = 0; i < bottomFirst.Count; i++)
        {
            Layer layer = bottomFirst[i];
            string diff = Path.Combine("layers", layer.DiffId.Hex, "diff");
            yield return new Step($"mkdir -p {diff} && tar -x -C {diff} -f layer.tar && ln -s ../{diff} {layer.ShortLink}",
                $"layer {i + 1}/{bottomFirst.Count} ({layer.DiffId}) was unpacked once when the image was loaded; every container shares it " +
                "(a .wh.NAME entry became `mknod NAME c 0 0`, .wh..wh..opq became `setfattr -n trusted.overlay.opaque -v y DIR`)",
                AlreadyDone: true);
        }
    }

    /// <summary>The overlay mount, made from the store root so the lower dirs are the short l/ links (see OverlayMount).</summary>
    public static Step Overlay(string storeRoot, MountRecord overlay) =>
        new($"cd {ShellQuote.Quote(storeRoot)} && {overlay.ToShellCommand()}",
            "overlayfs stacks the layers: the leftmost lowerdir is the top one; writes copy up into upperdir, deletions become 0/0 whiteouts there");

    /// <summary>The namespaces the init stage is born in (unshare(2) on a thread, then posix_spawn).</summary>
    public static Step Namespaces(NamespaceFlags flags, string then)
    {
        var options = new List<string>();
        if (flags.HasFlag(NamespaceFlags.Mount)) options.Add("--mount");
        if (flags.HasFlag(NamespaceFlags.Uts)) options.Add("--uts");
        if (flags.HasFlag(NamespaceFlags.Ipc)) options.Add("--ipc");
        if (flags.HasFlag(NamespaceFlags.Network)) options.Add("--net");
        if (flags.HasFlag(NamespaceFlags.Pid)) options.Add("--pid --fork");
        return new($"unshare {string.Join(' ', options)} --propagation unchanged {then}",
            "new mount, UTS, IPC" + (flags.HasFlag(NamespaceFlags.Network) ? ", network" : "") +
            " and PID namespaces: the command becomes PID 1 and its mounts and hostname are its own (namespaces(7)); " +
            "minirun spawns its init stage into the new PID namespace, and the init stage unshares the others itself");
    }

    /// <summary>
    /// The binary the init stage runs from: a private, detached, read-only overlay of minirun's directory (fsopen(2),
    /// fsmount(2): no shell tool makes a detached mount, so a temporary directory stands in for it), or, when the kernel
    /// refused that, the file on disk, and why.
    /// </summary>
    public static Step RuntimeBinary(RuntimeBinary binary) => binary.LowerDirs is { } lower
        ? new($"mount -t overlay overlay -o ro,nosuid,nodev,lowerdir={ShellQuote.Quote(lower)} \"$(mktemp -d)\"",
            $"the stages run {Path.GetFileName(binary.Path)} from a read-only overlay of its directory that is in no mount namespace (fsmount(2), " +
            "detached): a container that reaches their /proc/PID/exe cannot write to the binary (CVE-2019-5736)")
        : new($"# {ShellQuote.Quote(binary.Path)} itself: unprotected",
            $"the kernel refused the read-only overlay of minirun ({binary.Unprotected}): the stages run from the file on disk");

    /// <summary>What the init stage does inside the namespaces before it enters the root: mounts, /dev, hostname, lo.</summary>
    public static IEnumerable<Step> PrepareRoot(InitSpec spec)
    {
        yield return new("mount --make-rslave /", "nothing mounted from here on may propagate back to the host (mount_namespaces(7))");
        foreach (MountRecord mount in spec.Mounts)
        {
            if (!mount.IsRemount && !ContainerMounts.IsKernelProvided(spec.RootFs, mount.Target))
            {
                string target = ShellQuote.Quote(mount.Target);
                yield return new(IsFileBind(spec.RootFs, mount) ? $"[ -e {target} ] || touch {target}" : $"[ -e {target} ] || mkdir -p {target}",
                    "a mount needs a place to land (made only when missing)");
            }
            yield return new(mount.ToShellCommand(), WhyMount(spec.RootFs, mount));
            if (mount.Target == Path.Combine(spec.RootFs, "dev"))
                foreach (Step step in PopulateDev(spec)) yield return step;
        }
        yield return new($"hostname {ShellQuote.Quote(spec.Hostname)}", "the UTS namespace has its own host name");
        if (spec.IsolateNetwork) yield return new("ip link set lo up", "a new network namespace has only lo, and it starts down");
    }

    /// <summary>A bind of a file (a /dev node of the container, a terminal) lands on a file, as the init stage's CreateTarget.</summary>
    private static bool IsFileBind(string rootfs, MountRecord mount) =>
        mount.Flags.HasFlag(MountFlags.Bind) &&
        (mount.Source.StartsWith(Path.Combine(rootfs, "dev") + "/", StringComparison.Ordinal) || Syscalls.TryLStat(mount.Source) is { IsDirectory: false });

    private static IEnumerable<Step> PopulateDev(InitSpec spec)
    {
        string dev = Path.Combine(spec.RootFs, "dev");
        yield return new($"mkdir -p {ShellQuote.Quote(dev)}/pts {ShellQuote.Quote(dev)}/shm {ShellQuote.Quote(dev)}/mqueue", "mount points in the fresh /dev");
        foreach (DeviceNode node in spec.Devices)
            yield return new($"mknod -m {Convert.ToString(node.Mode, 8)} {ShellQuote.Quote(Path.Combine(spec.RootFs, node.Path))} {(node.Block ? 'b' : 'c')} {node.Major} {node.Minor}",
                "the standard device nodes, and no others: the container cannot reach the host's disks");
        foreach (SymlinkSpec link in spec.Symlinks)
            yield return new($"ln -s {ShellQuote.Quote(link.Target)} {ShellQuote.Quote(Path.Combine(spec.RootFs, link.Path))}", "the /dev links programs expect");
    }

    private static string WhyMount(string rootfs, MountRecord mount)
    {
        string inside = "/" + Path.GetRelativePath(rootfs, mount.Target);
        if (mount.IsRemount) return $"{inside} read-only (a bind mount is made read-only by remounting it)";
        return mount.Type switch
        {
            "proc" => "/proc shows the processes of the new PID namespace",
            "sysfs" => "/sys" + (mount.Flags.HasFlag(MountFlags.ReadOnly) ? ", read-only" : ""),
            "devpts" => "a private devpts instance: the container's terminals are its own",
            "mqueue" => "POSIX message queues of the new IPC namespace",
            "tmpfs" when inside == "/dev" => "a fresh, empty /dev",
            "tmpfs" when inside == "/dev/shm" => "shared memory of the new IPC namespace",
            "tmpfs" => $"{inside} masked with an empty read-only tmpfs (Docker's masked paths)",
            _ when mount.Source.EndsWith("/dev/null", StringComparison.Ordinal) => $"{inside} masked with /dev/null (Docker's masked paths)",
            _ when mount.Source == mount.Target => $"{inside} bound onto itself, so that it can be remounted read-only",
            _ => $"{inside} from {mount.Source}",
        };
    }

    /// <summary>First thing with its spec, the init stage moves its whole process into its group of the unified hierarchy.</summary>
    public static IEnumerable<Step> JoinUnifiedCgroup(InitSpec spec)
    {
        if (spec.CgroupEarlyJoinDirectory is not { } dir) yield break;
        yield return new($"mkdir -p {ShellQuote.Quote(dir)} && echo 0 > {ShellQuote.Quote(Path.Combine(dir, "cgroup.procs"))}",
            "the init stage moves its whole process into its group of the unified (v2) hierarchy, first: that move waits for an RCU " +
            "grace period, which passes while minirun creates the rest of the cgroup");
    }

    /// <summary>
    /// The init stage joins the cgroup the parent made meanwhile, while its files are still at the host's paths; then
    /// takes a cgroup namespace rooted there and mounts /sys/fs/cgroup from it.
    /// </summary>
    public static IEnumerable<Step> JoinCgroup(InitSpec spec)
    {
        foreach (string file in spec.CgroupJoinFiles)
            yield return new($"echo 0 > {ShellQuote.Quote(file)}", Path.GetFileName(file) == "tasks"
                ? "the init stage moves its own thread into the cgroup (0 is the writer); that thread execve()s the command, so all of it is inside"
                : "the init stage joins the cgroup (0 is the writer); the command and its children stay in it");
        yield return new("unshare --cgroup", "a cgroup namespace of its own (the init stage's thread: unshare(CLONE_NEWCGROUP)), rooted at the groups " +
            "it has just joined: /proc/self/cgroup says /, and a cgroupfs mounted inside shows nothing of the host's (cgroup_namespaces(7))");
        foreach (string command in CgroupMountCommands(spec))
            yield return new(command, command.StartsWith("mkdir", StringComparison.Ordinal) ? "a mount point on the fresh tmpfs"
                : "/sys/fs/cgroup: the container's own groups, as Docker mounts them" + (command.Contains("-o ro") || command.Contains(",ro") ? ", read-only" : ""));
    }

    /// <summary>The /sys/fs/cgroup mounts as commands, each mount point made on the tmpfs first (as the init stage does).</summary>
    public static IEnumerable<string> CgroupMountCommands(InitSpec spec)
    {
        for (int i = 0; i < spec.CgroupMounts.Count; i++)
        {
            MountRecord mount = spec.CgroupMounts[i];
            if (i > 0 && !mount.IsRemount) yield return $"mkdir -p {ShellQuote.Quote(mount.Target)}";
            yield return mount.ToShellCommand();
        }
    }

    /// <summary>pivot_root as runc does it (pivot_root(2) NOTES: pivot_root(".", ".")), or chroot(2).</summary>
    public static IEnumerable<Step> EnterRoot(InitSpec spec)
    {
        string root = ShellQuote.Quote(spec.RootFs);
        if (spec.UseChroot)
        {
            yield return new($"cd {root} && chroot .", "chroot only changes where / is: the old root stays mounted and a privileged process can climb out (workshop level 1)");
            yield break;
        }
        yield return new($"cd {root} && pivot_root . .", "the merged directory becomes /; the old root is stacked on top of it");
        yield return new("mount --make-rslave . && umount -l .", "detach the old root: the host's files are no longer reachable at all");
    }

    /// <summary>The last steps: working directory, read-only root, user and capabilities, umask, execve.</summary>
    public static IEnumerable<Step> Exec(InitSpec spec)
    {
        yield return new($"mkdir -p {ShellQuote.Quote(spec.WorkingDir)} && cd {ShellQuote.Quote(spec.WorkingDir)}", "the working directory (created when missing, as Docker does)");
        foreach (MountRecord mount in spec.RootMounts) yield return new(mount.ToShellCommand(), "--read-only: the root filesystem read-only");
        if (spec.SessionKeyring is not null)
            yield return new($"keyctl new_session {ShellQuote.Quote(spec.SessionKeyring)}",
                "a session keyring of its own (keyctl(2) KEYCTL_JOIN_SESSION_KEYRING, as runc): the host's session keys are out of reach");
        if (spec.SeccompFilter is { } filter)
            yield return new($"# seccomp: {filter.Source}, {filter.Instructions} BPF instructions, loaded with prctl(PR_SET_SECCOMP) " +
                             "(no host tool loads a filter: the dry-run script leaves this step out)",
                "a seccomp filter, loaded " + (spec.NoNewPrivileges ? "last, after no_new_privs" : "while CAP_SYS_ADMIN is still held") +
                ": keyctl, add_key, unshare, mount, perf_event_open, io_uring_* and others fail with EPERM; syscalls newer than the profile with ENOSYS");
        yield return new(CapshOptions(spec), "keep only the container's capabilities in the bounding set, then become the user (capabilities(7))");
        yield return new("umask 022", "runc's umask for container processes");
        if (spec.NoNewPrivileges) yield return new("setpriv --no-new-privs", "execve can never grant privileges again (PR_SET_NO_NEW_PRIVS)");
        yield return new($"exec env -i {ShellQuote.Join(spec.Env)} {ShellQuote.Join(spec.Args)}",
            "execve(2): the command replaces the init stage, as PID 1, with only the container's environment");
    }

    /// <summary>capsh(1) options that give the container's capability set, user and groups.</summary>
    /// <param name="chroot">--dry-run: capsh also enters the root (--chroot=DIR), after shrinking the bounding set.</param>
    public static string CapshOptions(InitSpec spec, string? chroot = null)
    {
        var dropped = new List<string>();
        for (int cap = 0; cap <= spec.LastCapability && cap < Capabilities.Names.Count; cap++)
            if ((spec.Capabilities & 1UL << cap) == 0) dropped.Add("cap_" + Capabilities.Names[cap].ToLowerInvariant());
        var options = new List<string>();
        if (dropped.Count > 0) options.Add("--drop=" + string.Join(',', dropped));
        if (chroot is not null) options.Add("--chroot=" + ShellQuote.Quote(chroot));
        options.Add($"--gid={spec.Gid}");
        if (spec.Groups.Count > 0) options.Add("--groups=" + string.Join(',', spec.Groups));
        options.Add($"--uid={spec.Uid}");
        return "capsh " + string.Join(' ', options);
    }

    /// <summary>Teardown, after PID 1 exited: the namespaces died with it; the parent removes the cgroup and the mount.</summary>
    public static IEnumerable<Step> Teardown(IReadOnlyList<string> cgroupDirectories, string merged, string? removedDirectory)
    {
        foreach (string dir in cgroupDirectories)
            yield return new($"rmdir {ShellQuote.Quote(dir)}", dir.EndsWith("/" + Sandbox.Cgroups.CgroupNames.Leaf, StringComparison.Ordinal)
                ? "the container's leaf goes first (a cgroup with a child cannot be removed)"
                : "the cgroup goes once its last process is gone (on cgroup v2, with its device program)");
        yield return new($"umount {ShellQuote.Quote(merged)}", "unmount the overlay; the upper dir keeps what the container changed");
        if (removedDirectory is not null) yield return new($"rm -rf {ShellQuote.Quote(removedDirectory)}", "--rm: the container's directory goes too");
    }
}
