namespace MiniRun.Native;

/// <summary>The seam's real side: each call goes to the kernel, through the checked wrappers of this folder.</summary>
public sealed class LinuxSyscalls : ISyscalls
{
    public static readonly LinuxSyscalls Instance = new();

    private LinuxSyscalls() { }

    public void Explain(string why) { }

    public void Describe(string command, string why, bool alreadyDone) { }

    public void StageBegins(NamespaceFlags namespaces, string why) { }

    public void StageEnded() { }

    public void Mount(string? source, string target, string? type, MountFlags flags, string? data) => Syscalls.Mount(source, target, type, flags, data);

    public void MountInRoot(string root, MountRecord mount, IReadOnlyList<MountRecord> changes) => InRootMount.Mount(root, mount, changes);

    public bool Unmount(string target, UnmountFlags flags)
    {
        try
        {
            Syscalls.Unmount(target, flags);
            return true;
        }
        catch (NativeException e) when (e.Errno is Errnos.EINVAL or Errnos.ENOENT) // not a mount point (umount(2))
        {
            return false;
        }
    }

    public void Unshare(NamespaceFlags flags) => Syscalls.Unshare(flags);

    public void JoinNamespace(string path, NamespaceFlags type)
    {
        int fd = ProcessControl.OpenReadOnly(path);
        try
        {
            // A mount namespace is joined only by a thread whose root and cwd are its own (setns(2): EINVAL otherwise).
            if (type == NamespaceFlags.Mount) Syscalls.Unshare(NamespaceFlags.FileSystem);
            Syscalls.SetNamespace(fd, type, path);
        }
        finally
        {
            ProcessControl.Close(fd);
        }
    }

    public void PivotRoot(string newRoot)
    {
        // runc's sequence (pivot_root(2) NOTES): the old root is stacked on the new one, made a slave so that its
        // unmount cannot propagate to the host, then detached.
        int oldRoot = ProcessControl.OpenDirectory("/");
        int root = ProcessControl.OpenDirectory(newRoot);
        try
        {
            Syscalls.ChangeDirectory(root, newRoot);
            Syscalls.PivotRoot(".", ".");
            Syscalls.ChangeDirectory(oldRoot, "old root");
            Syscalls.Mount(null, ".", null, MountFlags.Recursive | MountFlags.Slave, null);
            Syscalls.Unmount(".", UnmountFlags.Detach);
            Syscalls.ChangeDirectory("/");
        }
        finally
        {
            ProcessControl.Close(oldRoot);
            ProcessControl.Close(root);
        }
    }

    public void ChangeRoot(string newRoot)
    {
        Syscalls.ChangeDirectory(newRoot);
        Syscalls.ChangeRoot(".");
        Syscalls.ChangeDirectory("/");
    }

    public void ChangeDirectory(string path) => Syscalls.ChangeDirectory(path);

    public void SetHostname(string name) => Syscalls.SetHostname(name);

    public void BringLoopbackUp() => Syscalls.BringLoopbackUp();

    public bool RemoveBridge(string name) => Syscalls.RemoveBridge(name);

    public void CreateNetworkNamespace(string path)
    {
        File.Create(path).Dispose();
        // On a thread of its own, which ends with the namespace it made: ours stay in the host's network namespace.
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Syscalls.Unshare(NamespaceFlags.Network);
                Syscalls.BringLoopbackUp(); // a container's lo is up, as runc and the CNI loopback plugin leave it
                Syscalls.Mount("/proc/thread-self/ns/net", path, null, MountFlags.Bind, null);
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw failure;
    }

    public (int Status, byte[] Output) RunProgram(string program, IReadOnlyList<string> argv, IReadOnlyList<string> variables, byte[] input)
    {
        var overridden = new HashSet<string>(variables.Select(v => v[..Math.Max(0, v.IndexOf('='))]), StringComparer.Ordinal);
        List<string> environment = [];
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
            if (!overridden.Contains((string)variable.Key)) environment.Add($"{variable.Key}={variable.Value}");
        environment.AddRange(variables);
        return ProcessControl.RunPiped(program, argv, environment, input);
    }

    public bool MakeDirectory(string path, uint mode) => Syscalls.TryMakeDirectory(path, mode);

    public void MakeDirectories(string path)
    {
        // One mkdir(2) when the parent exists (a stage's cgroup, on its way to a start), parents first otherwise.
        try
        {
            Syscalls.TryMakeDirectory(path, 0x1ed);
        }
        catch (NativeException e) when (e.Errno == Errnos.ENOENT && Path.GetDirectoryName(path) is { } parent && parent != path)
        {
            MakeDirectories(parent);
            Syscalls.TryMakeDirectory(path, 0x1ed);
        }
    }

    public void WriteFile(string path, string content, uint mode) =>
        Syscalls.WriteNewFile(path, System.Text.Encoding.UTF8.GetBytes(content), mode, exactMode: true);

    public void RewriteFile(string path, string content) => Syscalls.RewriteFile(path, System.Text.Encoding.UTF8.GetBytes(content));

    public bool MakeNode(string path, uint mode, uint major, uint minor) => UnpackSyscalls.TryMakeNode(path, mode, major, minor);

    public void ChangeOwner(string path, uint uid, uint gid) => Syscalls.LChown(path, (int)uid, (int)gid);

    public void Symlink(string target, string linkPath) => Syscalls.Symlink(target, linkPath);

    public void SetXattr(string path, string name, byte[] value) => Syscalls.SetXattr(path, name, value);

    public bool RenameNoReplace(string from, string to) => Syscalls.TryRenameNoReplace(from, to);

    public bool RemoveDirectory(string path)
    {
        // A cgroup answers EBUSY while its exiting tasks are still being taken out of it: retried for 2 s.
        DateTime deadline = DateTime.UtcNow.AddSeconds(2);
        while (true)
        {
            int errno = KernelFiles.TryRemoveDirectory(path);
            if (errno == 0) return true;
            if (errno == Errnos.ENOENT) return false;
            if (errno != Errnos.EBUSY || DateTime.UtcNow > deadline) throw new NativeException("rmdir", path, errno);
            Thread.Sleep(10);
        }
    }

    public void RemoveTree(string path) => DirectoryTree.Remove(path);

    public FileStatus? LStat(string path) => Syscalls.TryLStat(path);

    public void CreateSubvolume(string path) => BtrfsSubvolumes.Create(path);

    public void SnapshotSubvolume(string source, string destination, bool readOnly) => BtrfsSubvolumes.Snapshot(source, destination, readOnly);

    public void SetSubvolumeReadOnly(string path, bool readOnly) => BtrfsSubvolumes.SetReadOnly(path, readOnly);

    public bool DeleteSubvolume(string path) => BtrfsSubvolumes.TryDelete(path);

    public void WriteKernelFile(string path, params string[] values) => KernelFiles.Write(path, values);

    public void WriteKernelFileIfPresent(string path, string value)
    {
        try
        {
            KernelFiles.WriteExisting(path, value);
        }
        catch (NativeException e) when (e.Errno == Errnos.ENOENT)
        {
        }
    }

    public string? ReadKernelFile(string path) => KernelFiles.TryReadAll(path);

    public void CopyKernelFileIfEmpty(string from, string to)
    {
        if (KernelFiles.TryReadAll(to) is { } value && value.Trim().Length > 0) return;
        KernelFiles.Write(to, (KernelFiles.TryReadAll(from) ?? "").Trim());
    }

    public void AttachDeviceProgram(byte[] instructions, string cgroupDirectory, string description) =>
        SecuritySyscalls.AttachDeviceProgram(instructions, cgroupDirectory);

    public uint SetUmask(uint mask) => Syscalls.SetUmask(mask);

    public void JoinSessionKeyring(string name) => SecuritySyscalls.JoinSessionKeyring(name);

    public void LoadSeccompFilter(byte[] program, string description) => SecuritySyscalls.LoadSeccompFilter(program);

    public void SetCredentials(Credentials credentials)
    {
        // runc's order: shrink the bounding set while still root with CAP_SETPCAP, keep the permitted set across the
        // uid change, switch user, then effective = permitted = the set; inheritable and ambient empty (capabilities(7)).
        for (int cap = 0; cap <= credentials.LastCapability; cap++)
            if ((credentials.Capabilities & 1UL << cap) == 0) SecuritySyscalls.DropFromBoundingSet(cap);
        SecuritySyscalls.SetKeepCapabilities(true);
        uint[] groups = new uint[credentials.Groups.Count];
        for (int i = 0; i < groups.Length; i++) groups[i] = credentials.Groups[i];
        // A rootless namespace with the one-ID map has setgroups "deny" (user_namespaces(7)): no groups can be set, none are held.
        if (KernelFiles.TryReadAll("/proc/self/setgroups")?.Trim() != "deny") Syscalls.SetGroups(groups);
        Syscalls.SetIds(credentials.Uid, credentials.Gid);
        SecuritySyscalls.SetKeepCapabilities(false);
        SecuritySyscalls.SetCapabilities(credentials.Capabilities, credentials.Capabilities, credentials.Inheritable);
        SecuritySyscalls.ClearAmbientCapabilities();
        for (int cap = 0; cap <= credentials.LastCapability; cap++)
            if ((credentials.Ambient & 1UL << cap) != 0) SecuritySyscalls.RaiseAmbientCapability(cap);
    }

    public void SetNoNewPrivileges() => SecuritySyscalls.SetNoNewPrivileges();

    public void SetResourceLimit(string name, int resource, ulong soft, ulong hard) => Syscalls.SetResourceLimit(resource, soft, hard);

    public void CloseOnExecFrom(int first) => ProcessControl.CloseOnExecFrom(first);

    public int Exec(IReadOnlyList<string> args, IReadOnlyList<string> env) =>
        ExecutableSearch.Find(args[0], env) is { } path ? Syscalls.Exec(path, args, env) : Errnos.ENOENT;
}
