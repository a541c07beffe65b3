using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// What the init stage does inside the namespaces, written once against the seam: the stage runs it on the kernel
/// (narrated with --explain), --dry-run prints it, and a unit test records it. <see cref="Prepare"/> runs before the
/// parent's go, <see cref="Enter"/> after it; between <see cref="Enter"/> and <see cref="ISyscalls.Exec"/> the stage
/// only checks that its parent is still there (<see cref="StageGuard"/>).
/// </summary>
public static class InitSequence
{
    /// <summary>Joins the unified (v2) group, unshares the namespaces and sets up the root: mounts, /dev, hostname, lo.</summary>
    public static void Prepare(ISyscalls sys, InitSpec spec)
    {
        // First: this move waits for an RCU grace period, which passes while the parent creates the rest of the cgroup.
        if (spec.CgroupEarlyJoinDirectory is { } unified) CgroupJoin.EnterProcess(sys, unified);
        foreach (NamespacePath ns in spec.JoinNamespaces) sys.JoinNamespace(ns.Path, ns.Type);
        // Copied now, so the new mount namespace has the overlay the parent mounted while this stage started.
        if (spec.Namespaces != NamespaceFlags.None) sys.Unshare(spec.Namespaces);
        foreach (KernelSetting setting in spec.KernelSettings)
        {
            // This stage's /proc is still the host's mount, but /proc/sys and /proc/self answer for the caller's namespaces.
            sys.Explain("config.json's linux.sysctl and process.oomScoreAdj, in the container's own namespaces");
            sys.WriteKernelFile(setting.Path, setting.Value);
        }
        sys.Explain("nothing mounted from here on may propagate back to the host (mount_namespaces(7))");
        sys.Mount(null, "/", null, MountFlags.Recursive | MountFlags.Slave, null);
        for (int i = 0; i < spec.Mounts.Count; i++)
        {
            MountRecord mount = spec.Mounts[i];
            if (ContainerMounts.IsKernelProvided(spec.RootFs, mount.Target) || !IsInRoot(spec.RootFs, mount.Target))
            {
                sys.Explain(MountReasons.Why(spec.RootFs, mount));
                mount.Apply(sys);
                continue;
            }
            if (ContainerMounts.IsSystemPath(spec.RootFs, mount.Target)) RefuseSymlinkOnTheWay(sys, spec.RootFs, mount.Target);
            // A bind's remount (ro, nosuid…) and propagation change follow it, for the same mount: made together.
            int next = i + 1;
            while (next < spec.Mounts.Count && spec.Mounts[next].Target == mount.Target && spec.Mounts[next].ChangesAMount) next++;
            List<MountRecord> changes = next == i + 1 ? [] : spec.Mounts.GetRange(i + 1, next - i - 1);
            sys.Explain(MountReasons.Why(spec.RootFs, mount));
            // Resolved inside the root and mounted through a descriptor: a volume this root shares with a running
            // container can have a link swapped into the path at any instant (CVE-2021-30465).
            sys.MountInRoot(spec.RootFs, mount, changes);
            if (mount.Target == Path.Combine(spec.RootFs, "dev")) PopulateDev(sys, spec);
            i = next - 1;
        }
        if (spec.Hostname.Length > 0) sys.SetHostname(spec.Hostname); // none asked: a joined UTS namespace keeps its name
        if (spec.IsolateNetwork) sys.BringLoopbackUp();
    }

    /// <summary>Joins the cgroup (while its files are at the host's paths), then takes a cgroup namespace rooted there.</summary>
    public static void JoinCgroup(ISyscalls sys, InitSpec spec)
    {
        CgroupJoin.Enter(sys, spec.CgroupJoinFiles);
        // A cgroupfs mounted inside, ours below or one from a user namespace of its own, shows nothing above these groups.
        if (spec.CgroupNamespace) sys.Unshare(NamespaceFlags.Cgroup);
    }

    /// <summary>
    /// After the go: joins the cgroup (while its files are at the host's paths), takes a cgroup namespace rooted there
    /// and mounts /sys/fs/cgroup from it, enters the root and the working directory, and drops privileges.
    /// </summary>
    /// <param name="cgroupJoined">the stage already did <see cref="JoinCgroup"/> (parked, before `create` returned).</param>
    /// <param name="beforePrivilegeDrop">runs once the root is entered, still as root with every capability (a parked
    /// stage waits there for `start`).</param>
    public static void Enter(ISyscalls sys, InitSpec spec, bool cgroupJoined = false, Action? beforePrivilegeDrop = null)
    {
        if (!cgroupJoined) JoinCgroup(sys, spec);
        for (int i = 0; i < spec.CgroupMounts.Count; i++)
        {
            MountRecord mount = spec.CgroupMounts[i];
            if (i > 0 && !mount.IsRemount) sys.MakeDirectory(mount.Target, 0x1ed); // mount points on the fresh tmpfs
            sys.Explain("/sys/fs/cgroup: the container's own groups, as Docker mounts them");
            mount.Apply(sys);
        }
        if (spec.UseChroot)
        {
            sys.Explain("chroot only changes where / is: the old root stays mounted and a privileged process can climb out (workshop level 1)");
            sys.ChangeRoot(spec.RootFs);
        }
        else
        {
            sys.Explain("the merged directory becomes /; the old root, stacked on top of it, is detached: the host's files are no longer reachable");
            sys.PivotRoot(spec.RootFs);
        }
        if (spec.RootPropagation != MountFlags.None)
        {
            sys.Explain("config.json's linux.rootfsPropagation, for the container's own root");
            sys.Mount(null, "/", null, spec.RootPropagation, null);
        }
        sys.Explain("the working directory (created when missing, as Docker does)");
        sys.MakeDirectories(spec.Process.WorkingDir);
        sys.ChangeDirectory(spec.Process.WorkingDir);
        foreach (MountRecord mount in spec.RootMounts)
        {
            sys.Explain("--read-only: the root filesystem read-only");
            mount.Apply(sys);
        }
        beforePrivilegeDrop?.Invoke();
        PrivilegeDrop.BecomeCommand(sys, spec.Process.Credentials, spec.Process.NoNewPrivileges, spec.Process.SessionKeyring, spec.Process.SeccompFilter,
            spec.Process.ResourceLimits, spec.Process.Umask);
    }

    private static bool IsInRoot(string rootfs, string target) =>
        target.StartsWith(rootfs, StringComparison.Ordinal) && (target.Length == rootfs.Length || target[rootfs.Length] == '/');

    /// <summary>
    /// The image decides what lies under the root: a /dev, /proc or /sys that is a symlink would take the files made
    /// below it by path (/dev's nodes and links) to wherever it points, here where the host's root is still this
    /// stage's (the class of runc's CVE-2025-31133 and -52881); runc too wants proc and sysfs on a real directory.
    /// These lie in the container's own overlay, which no process reaches before the command starts: one look suffices.
    /// </summary>
    private static void RefuseSymlinkOnTheWay(ISyscalls sys, string rootfs, string target)
    {
        for (int next = rootfs.Length; next >= 0;)
        {
            next = target.IndexOf('/', next + 1);
            string path = next < 0 ? target : target[..next];
            if (sys.LStat(path) is not { } status) return; // made below, inside what was checked
            if (status.IsSymlink)
                throw new MiniRunException($"the image's {path[rootfs.Length..]} is a symbolic link: minirun mounts {target[rootfs.Length..]} only on a real directory or file of the image");
        }
    }

    private static bool HasMountAt(List<MountRecord> mounts, string target)
    {
        foreach (MountRecord mount in mounts) // a loop: on the way to every start
            if (mount.Target == target) return true;
        return false;
    }

    private static void PopulateDev(ISyscalls sys, InitSpec spec)
    {
        // mkdir(2) itself: /dev is a fresh tmpfs, so each is one call.
        string dev = Path.Combine(spec.RootFs, "dev");
        sys.Explain("mount points in the fresh /dev");
        foreach (string dir in new[] { "pts", "shm", "mqueue" })
            if (HasMountAt(spec.Mounts, Path.Combine(dev, dir))) sys.MakeDirectory(Path.Combine(dev, dir), 0x1ed); // none: no /dev/shm with --ipc none
        foreach (DeviceNode node in spec.Devices) // --privileged brings nodes in subdirectories (dev/net/tun, dev/input/…)
            if (Path.GetDirectoryName(Path.Combine(spec.RootFs, node.Path)) is { } parent && parent != dev)
                sys.MakeDirectories(parent);
        uint oldMask = sys.SetUmask(0);
        foreach (DeviceNode node in spec.Devices)
        {
            sys.Explain("the standard device nodes, and no others: the container cannot reach the host's disks");
            string path = Path.Combine(spec.RootFs, node.Path);
            if (spec.InUserNamespace && !node.Fifo)
            {
                // mknod(2) of a device needs CAP_MKNOD of the host's user namespace: the host's node is bound instead (as runc does).
                sys.Explain("in a user namespace no device node can be made: the host's own is bound onto an empty file");
                sys.WriteFile(path, "", node.Mode);
                sys.Mount("/" + node.Path, path, null, MountFlags.Bind, null);
                continue;
            }
            sys.MakeNode(path, node.FileMode, node.Major, node.Minor);
            if (node.Uid is not null || node.Gid is not null) sys.ChangeOwner(path, node.Uid ?? 0, node.Gid ?? 0);
        }
        sys.SetUmask(oldMask);
        foreach (SymlinkSpec link in spec.Symlinks)
        {
            sys.Explain("the /dev links programs expect");
            sys.Symlink(link.Target, Path.Combine(spec.RootFs, link.Path));
        }
    }
}
