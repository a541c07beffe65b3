using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The in-container side: runs as PID 1 of the new PID namespace. It reads the <see cref="InitSpec"/> from fd 3,
/// joins its unified (v2) group, unshares the mount, UTS, IPC (and network) namespaces and sets up the root while the
/// parent creates the cgroup; on the parent's go (<see cref="InitStageProcess"/>) it joins the cgroup, unshares its
/// cgroup namespace, mounts /sys/fs/cgroup, enters the root, drops to the user and execve()s the command. It never returns: it becomes the command or exits 125/126/127.
/// </summary>
public static class InitStage
{
    public const string Verb = "__init";
    public const int SpecFd = 3;

    public static int Run()
    {
        InitSpec spec;
        try
        {
            byte[]? length = ProcessControl.ReadExactly(SpecFd, 4);
            if (length is null) return ExitCodes.RuntimeError; // the parent gave up (and said why) or died
            byte[] message = ProcessControl.ReadExactly(SpecFd, System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(length))
                             ?? throw new MiniRunException("init: the spec from the parent is cut short");
            spec = InitSpecReader.Read(message);
            // First: this move waits for an RCU grace period, which passes while the parent creates the rest of the cgroup.
            if (spec.CgroupEarlyJoinDirectory is { } unified) CgroupJoin.EnterProcess(unified);
            // Copied now, so the new mount namespace has the overlay the parent mounted while this stage started.
            Syscalls.Unshare(spec.Namespaces);
            PrepareRoot(spec);
            // The go says the cgroup exists and the parent forwards signals to this process; without it, nothing runs.
            if (ProcessControl.ReadExactly(SpecFd, 1) is not [InitStageProcess.Go]) return ExitCodes.RuntimeError;
            // SpecFd stays open until execve (close-on-exec from PrivilegeDrop): its closing tells the parent we ran.
            // Joined before pivot_root, while the cgroup files are at the host's paths: this thread execve()s the command.
            CgroupJoin.Enter(spec.CgroupJoinFiles);
            // Then its own cgroup namespace, rooted at the groups this thread has just joined (cgroup_namespaces(7)):
            // a cgroupfs mounted inside, ours below or one from a user namespace of its own, shows nothing above them.
            Syscalls.Unshare(NamespaceFlags.Cgroup);
            MountCgroups(spec.CgroupMounts);
            EnterRoot(spec);
            EnterWorkingDirectory(spec.WorkingDir);
            foreach (MountRecord mount in spec.RootMounts) mount.Apply();
            PrivilegeDrop.BecomeCommand(spec.Capabilities, spec.LastCapability, spec.Groups, spec.Uid, spec.Gid, spec.NoNewPrivileges,
                spec.SessionKeyring, spec.SeccompFilter?.Program);
            if (!StageGuard.BeforeExec(dieWithParent: true)) return ExitCodes.RuntimeError; // the container dies with its runner
        }
        catch (Exception e) when (e is MiniRunException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(UserMessages.Line(e));
            return ExitCodes.RuntimeError;
        }
        return ExecutableSearch.Exec(spec.Args, spec.Env);
    }

    private static void PrepareRoot(InitSpec spec)
    {
        // Nothing we mount may propagate back to the host (mount_namespaces(7)); runc's default is rslave too.
        Syscalls.Mount(null, "/", null, MountFlags.Recursive | MountFlags.Slave, null);
        foreach (MountRecord mount in spec.Mounts)
        {
            if (!ContainerMounts.IsKernelProvided(spec.RootFs, mount.Target)) CreateTarget(mount, RefuseSymlinkOnTheWay(spec.RootFs, mount.Target));
            mount.Apply();
            if (mount.Target == Path.Combine(spec.RootFs, "dev")) PopulateDev(spec);
        }
        Syscalls.SetHostname(spec.Hostname);
        if (spec.IsolateNetwork) Syscalls.BringLoopbackUp();
    }

    /// <summary>/sys/fs/cgroup inside: its mount points are made on the fresh tmpfs (sysfs has /sys/fs/cgroup itself).</summary>
    private static void MountCgroups(List<MountRecord> mounts)
    {
        for (int i = 0; i < mounts.Count; i++)
        {
            if (i > 0 && !mounts[i].IsRemount) Syscalls.TryMakeDirectory(mounts[i].Target, 0x1ed);
            mounts[i].Apply();
        }
    }

    /// <summary>
    /// The image decides what lies under the root: a /dev, /proc or /sys that is a symlink would take a mount (and the
    /// files made for it) to wherever it points, here where the host's root is still this stage's (the class of runc's
    /// CVE-2025-31133 and -52881). runc resolves such a link inside the root; minirun refuses it. No process of the
    /// container runs yet and the root's mounts are this namespace's alone, so nothing can swap a link in after the look.
    /// </summary>
    /// <returns>what the target is, or null when it (or a directory on the way) is not there yet.</returns>
    private static FileStatus? RefuseSymlinkOnTheWay(string rootfs, string target)
    {
        if (target.Length <= rootfs.Length || target[rootfs.Length] != '/' || !target.StartsWith(rootfs, StringComparison.Ordinal))
            return Syscalls.TryLStat(target);
        for (int next = rootfs.Length; ;)
        {
            next = target.IndexOf('/', next + 1);
            string path = next < 0 ? target : target[..next];
            if (Syscalls.TryLStat(path) is not { } status) return null; // made below, inside what was checked
            if (status.IsSymlink)
                throw new MiniRunException($"the image's {path[rootfs.Length..]} is a symbolic link: minirun mounts {target[rootfs.Length..]} only on a real directory or file of the image");
            if (next < 0) return status;
        }
    }

    /// <summary>A bind mount of a file needs a file to land on; everything else a directory. Existing targets are left alone.</summary>
    private static void CreateTarget(MountRecord mount, FileStatus? existing)
    {
        if (mount.IsRemount || existing is not null) return;
        bool fileSource = mount.Flags.HasFlag(MountFlags.Bind) && Syscalls.TryLStat(mount.Source) is { IsDirectory: false };
        if (fileSource) File.WriteAllBytes(mount.Target, []);
        else Directory.CreateDirectory(mount.Target);
    }

    private static void PopulateDev(InitSpec spec)
    {
        // mkdir(2) itself: /dev is a fresh tmpfs, so each is one call (Directory.CreateDirectory checks and normalises first).
        string dev = Path.Combine(spec.RootFs, "dev");
        foreach (string dir in new[] { "pts", "shm", "mqueue" })
            Syscalls.TryMakeDirectory(Path.Combine(dev, dir), 0x1ed);
        foreach (DeviceNode node in spec.Devices) // --privileged brings nodes in subdirectories (dev/net/tun, dev/input/…)
            if (Path.GetDirectoryName(Path.Combine(spec.RootFs, node.Path)) is { } parent && parent != dev)
                Directory.CreateDirectory(parent);
        uint oldMask = Syscalls.SetUmask(0);
        foreach (DeviceNode node in spec.Devices)
            Syscalls.MakeNode(Path.Combine(spec.RootFs, node.Path), (uint)(node.Block ? Syscalls.S_IFBLK : Syscalls.S_IFCHR) | node.Mode, node.Major, node.Minor);
        Syscalls.SetUmask(oldMask);
        foreach (SymlinkSpec link in spec.Symlinks)
            Syscalls.Symlink(link.Target, Path.Combine(spec.RootFs, link.Path));
    }

    private static void EnterRoot(InitSpec spec)
    {
        if (spec.UseChroot)
        {
            // The classic walkthrough: chroot(2) leaves the old root reachable to a privileged process (see docs).
            Syscalls.ChangeDirectory(spec.RootFs);
            Syscalls.ChangeRoot(".");
            Syscalls.ChangeDirectory("/");
            return;
        }
        // runc's sequence: pivot_root(".", ".") stacks the old root on top of the new one, then it is detached.
        int oldRoot = ProcessControl.OpenDirectory("/");
        int newRoot = ProcessControl.OpenDirectory(spec.RootFs);
        try
        {
            Syscalls.ChangeDirectory(newRoot, spec.RootFs);
            Syscalls.PivotRoot(".", ".");
            Syscalls.ChangeDirectory(oldRoot, "old root");
            Syscalls.Mount(null, ".", null, MountFlags.Recursive | MountFlags.Slave, null);
            Syscalls.Unmount(".", UnmountFlags.Detach);
            Syscalls.ChangeDirectory("/");
        }
        finally
        {
            ProcessControl.Close(oldRoot);
            ProcessControl.Close(newRoot);
        }
    }

    /// <summary>Docker creates a missing working directory.</summary>
    private static void EnterWorkingDirectory(string dir)
    {
        Directory.CreateDirectory(dir);
        Syscalls.ChangeDirectory(dir);
    }

}
