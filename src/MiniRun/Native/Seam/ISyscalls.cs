namespace MiniRun.Native;

/// <summary>
/// The one seam for the kernel side effects of building and entering a container (youki's <c>Syscall</c> trait):
/// the init stage, the cgroup managers, the overlay mount, the init layer and the unpacker's whiteouts are written
/// once against it. <see cref="LinuxSyscalls"/> calls libc; --explain wraps it in a decorator that prints each call as
/// its shell command and passes it on; --dry-run in one that prints and does nothing; unit tests record the calls.
/// Conditional steps are single calls (<see cref="WriteKernelFileIfPresent"/>, <see cref="CopyKernelFileIfEmpty"/>),
/// so that a real run and a dry run, which cannot look at what it never made, issue the same calls.
/// </summary>
public interface ISyscalls
{
    /// <summary>Why the next call is made: --explain and --dry-run print it as a comment; the kernel never hears of it.</summary>
    void Explain(string why);

    /// <summary>A step done by other means (a layer unpacked at load): shown for teaching, never performed here.</summary>
    void Describe(string command, string why, bool alreadyDone);

    /// <summary>The init stage starts, born in <paramref name="namespaces"/>: what it does is shown nested until its exec.</summary>
    void StageBegins(NamespaceFlags namespaces, string why);

    /// <summary>The init stage has execve()d the command (or died).</summary>
    void StageEnded();

    // Mounts and namespaces

    /// <summary>mount(2).</summary>
    void Mount(string? source, string target, string? type, MountFlags flags, string? data);

    /// <summary>
    /// <paramref name="mount"/> onto its target, a path below the container's <paramref name="root"/>, resolved inside
    /// that root to a descriptor and mounted through it (runc's answer to CVE-2021-30465): a symlink swapped in
    /// meanwhile never takes the mount out of the root. A missing target is made first (never a remount's): an empty
    /// file when a bind's source is no directory, else a directory. Then <paramref name="changes"/> (a read-only
    /// remount, a propagation change) go to the mount just made, found again from that descriptor, or fail.
    /// </summary>
    void MountInRoot(string root, MountRecord mount, IReadOnlyList<MountRecord> changes);

    /// <summary>umount2(2); false when <paramref name="target"/> is not a mount point (or absent).</summary>
    bool Unmount(string target, UnmountFlags flags);

    /// <summary>unshare(2) for the calling thread.</summary>
    void Unshare(NamespaceFlags flags);

    /// <summary>setns(2) into the namespace at <paramref name="path"/> (linux.namespaces[].path), for the calling thread.</summary>
    void JoinNamespace(string path, NamespaceFlags type);

    /// <summary>runc's pivot_root(".", ".") sequence: the new root becomes /, the old one is detached.</summary>
    void PivotRoot(string newRoot);

    /// <summary>chdir(2) to the new root, chroot("."), chdir("/").</summary>
    void ChangeRoot(string newRoot);

    /// <summary>chdir(2).</summary>
    void ChangeDirectory(string path);

    /// <summary>sethostname(2).</summary>
    void SetHostname(string name);

    /// <summary>SIOCSIFFLAGS IFF_UP on lo, in the calling thread's network namespace.</summary>
    void BringLoopbackUp();

    /// <summary>A new network namespace that outlives its processes: bind-mounted on <paramref name="path"/> (made, empty), as
    /// `ip netns add` keeps one, with lo up. A container joins it by path; CNI plugins are given the path.</summary>
    void CreateNetworkNamespace(string path);

    /// <summary>Deletes the Linux bridge <paramref name="name"/> of this network namespace (`ip link delete`); false when there is none.</summary>
    bool RemoveBridge(string name);

    // Programs

    /// <summary>Runs <paramref name="program"/> with <paramref name="argv"/> (argv[0] first), our environment plus <paramref name="variables"/>
    /// (NAME=VALUE) and <paramref name="input"/> on its stdin; its exit status and stdout. A CNI plugin call, `ip link del`.</summary>
    (int Status, byte[] Output) RunProgram(string program, IReadOnlyList<string> argv, IReadOnlyList<string> variables, byte[] input);

    // Files

    /// <summary>mkdir(2) of one directory whose parent exists; false when the name exists already.</summary>
    bool MakeDirectory(string path, uint mode);

    /// <summary>mkdir -p: the directory and any missing parents (mode 0755 before the umask).</summary>
    void MakeDirectories(string path);

    /// <summary>Creates a new file with exactly <paramref name="mode"/> and <paramref name="content"/> (O_EXCL).</summary>
    void WriteFile(string path, string content, uint mode);

    /// <summary>
    /// Replaces an existing file's content in place (O_WRONLY|O_TRUNC|O_NOFOLLOW, then write): the inode stays, so a
    /// bind mount of it (a container's /etc/hosts) sees the new content, where a rename would leave it the old file.
    /// </summary>
    void RewriteFile(string path, string content);

    /// <summary>mknod(2), the mode as given (umask 0); false when the name exists already.</summary>
    bool MakeNode(string path, uint mode, uint major, uint minor);

    /// <summary>lchown(2): a node the spec gives an owner (linux.devices[].uid, gid).</summary>
    void ChangeOwner(string path, uint uid, uint gid);

    /// <summary>symlink(2).</summary>
    void Symlink(string target, string linkPath);

    /// <summary>lsetxattr(2).</summary>
    void SetXattr(string path, string name, byte[] value);

    /// <summary>renameat2(2) RENAME_NOREPLACE: false when <paramref name="to"/> exists already.</summary>
    bool RenameNoReplace(string from, string to);

    /// <summary>rmdir(2); false when it was not there. A cgroup busy with exiting tasks is retried briefly.</summary>
    bool RemoveDirectory(string path);

    /// <summary>rm -rf, without crossing into anything mounted below.</summary>
    void RemoveTree(string path);

    /// <summary>What lstat(2) says, or null when nothing is there: the one query a container's set-up makes.</summary>
    FileStatus? LStat(string path);

    // btrfs subvolumes (the btrfs storage driver: a layer or a container is a subvolume, made as a snapshot of its parent)

    /// <summary>A new, empty subvolume at <paramref name="path"/>, whose parent directory is on btrfs (BTRFS_IOC_SUBVOL_CREATE).</summary>
    void CreateSubvolume(string path);

    /// <summary>
    /// <paramref name="destination"/> (a new name) becomes a copy-on-write snapshot of the subvolume <paramref name="source"/>
    /// (BTRFS_IOC_SNAP_CREATE_V2): the same files at once, extents shared until either side writes; read-only when asked.
    /// An ordinary user may snapshot a subvolume they own.
    /// </summary>
    void SnapshotSubvolume(string source, string destination, bool readOnly);

    /// <summary>Marks the subvolume at <paramref name="path"/> read-only or writable again (BTRFS_IOC_SUBVOL_SETFLAGS); its owner may.</summary>
    void SetSubvolumeReadOnly(string path, bool readOnly);

    /// <summary>
    /// Deletes the subvolume at <paramref name="path"/> with all it holds, read-only or not; false when nothing is there.
    /// Where the kernel refuses an ordinary user the ioctl (no user_subvol_rm_allowed), it is emptied and rmdir()ed.
    /// </summary>
    bool DeleteSubvolume(string path);

    // Kernel files (cgroups, /proc)

    /// <summary>Each value with a write(2) of its own through one open of an existing kernel file (echo V > F).</summary>
    void WriteKernelFile(string path, params string[] values);

    /// <summary>As <see cref="WriteKernelFile"/>, when the kernel offers the file (memory.swap.max needs swap accounting).</summary>
    void WriteKernelFileIfPresent(string path, string value);

    /// <summary>A kernel file's content, or null when it is not there: the second query, read through the seam so that a dry run answers as the host would.</summary>
    string? ReadKernelFile(string path);

    /// <summary>Copies <paramref name="from"/>'s value into <paramref name="to"/> when that is empty (a new cpuset cgroup).</summary>
    void CopyKernelFileIfEmpty(string from, string to);

    /// <summary>Attaches a BPF_PROG_TYPE_CGROUP_DEVICE program to a v2 cgroup.</summary>
    void AttachDeviceProgram(byte[] instructions, string cgroupDirectory, string description);

    // The process that becomes the command

    /// <summary>umask(2); returns the previous mask.</summary>
    uint SetUmask(uint mask);

    /// <summary>keyctl(KEYCTL_JOIN_SESSION_KEYRING): a new session keyring of this name.</summary>
    void JoinSessionKeyring(string name);

    /// <summary>prctl(PR_SET_SECCOMP) with a compiled filter; <paramref name="description"/> says which profile.</summary>
    void LoadSeccompFilter(byte[] program, string description);

    /// <summary>Bounding set, groups, ids and capability sets, in runc's order (see <see cref="Credentials"/>).</summary>
    void SetCredentials(Credentials credentials);

    /// <summary>prctl(PR_SET_NO_NEW_PRIVS).</summary>
    void SetNoNewPrivileges();

    /// <summary>setrlimit(2): <paramref name="name"/> is the resource as the OCI spec names it (RLIMIT_NOFILE).</summary>
    void SetResourceLimit(string name, int resource, ulong soft, ulong hard);

    /// <summary>Every descriptor from <paramref name="first"/> up close-on-exec (close_range(2)): nothing of ours reaches the command.</summary>
    void CloseOnExecFrom(int first);

    /// <summary>execve(2) of args[0], looked up in the PATH of <paramref name="env"/>; returns only on failure, with errno (ENOENT also when no PATH entry has it).</summary>
    int Exec(IReadOnlyList<string> args, IReadOnlyList<string> env);
}
