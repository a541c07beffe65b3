using MiniRun.Native;

namespace MiniRun.Tests.Support;

/// <summary>
/// The seam's test double: records each side effect as one line ("mount proc /r/proc ...") and performs none; the one
/// query, lstat, is answered from <see cref="Files"/> (what the test says exists) and from what the calls made.
/// </summary>
public sealed class RecordingSyscalls : ISyscalls
{
    private static readonly FileStatus Directory = new(Syscalls.S_IFDIR | 0x1ed, 0, 0, 2, 0, 0, 0, 0, 0, default);
    private static readonly FileStatus RegularFile = new(Syscalls.S_IFREG | 0x1a4, 0, 0, 1, 0, 0, 0, 0, 0, default);

    public List<string> Calls { get; } = [];

    /// <summary>What lstat finds: path → status (tests add the image's files here).</summary>
    public Dictionary<string, FileStatus> Files { get; } = new(StringComparer.Ordinal);

    public static FileStatus Dir => Directory;
    public static FileStatus File => RegularFile;
    public static FileStatus Link => RegularFile with { Mode = Syscalls.S_IFLNK | 0x1ff };

    private void Record(string call) => Calls.Add(call);

    public void Explain(string why) { }
    public void Describe(string command, string why, bool alreadyDone) { }
    public void StageBegins(NamespaceFlags namespaces, string why) => Record($"stage-begins {namespaces}");
    public void StageEnded() => Record("stage-ended");
    public void Mount(string? source, string target, string? type, MountFlags flags, string? data) => Record($"mount {source ?? "-"} {target} {type ?? "-"} {flags} {data ?? "-"}");
    public void MountInRoot(string root, MountRecord mount, IReadOnlyList<MountRecord> changes)
    {
        foreach (MountRecord m in (IEnumerable<MountRecord>)[mount, .. changes])
            Record($"mount-in-root {root}: {m.Source} {m.Target} {m.Type} {m.Flags} {m.Data ?? "-"}");
        if (!mount.ChangesAMount) Files.TryAdd(mount.Target, mount.Flags.HasFlag(MountFlags.Bind) && LStat(mount.Source) is { IsDirectory: false } ? RegularFile : Directory);
    }
    public bool Unmount(string target, UnmountFlags flags) { Record($"umount {target} {flags}"); return true; }
    public void Unshare(NamespaceFlags flags) => Record($"unshare {flags}");
    public void JoinNamespace(string path, NamespaceFlags type) => Record($"setns {path} {type}");
    public void PivotRoot(string newRoot) => Record($"pivot_root {newRoot}");
    public void CreateNetworkNamespace(string path) => Record($"netns {path}");
    public (int Status, byte[] Output) RunProgram(string program, IReadOnlyList<string> argv, IReadOnlyList<string> variables, byte[] input)
    {
        Record($"run {program} {string.Join(' ', variables)}");
        return (0, []);
    }
    public void ChangeRoot(string newRoot) => Record($"chroot {newRoot}");
    public void ChangeDirectory(string path) => Record($"chdir {path}");
    public void SetHostname(string name) => Record($"sethostname {name}");
    public void BringLoopbackUp() => Record("lo up");
    public bool RemoveBridge(string name)
    {
        Record($"bridge delete {name}");
        return true;
    }
    public bool MakeDirectory(string path, uint mode) { Record($"mkdir {path} {Convert.ToString(mode, 8)}"); return Files.TryAdd(path, Directory); }
    public void MakeDirectories(string path) { Record($"mkdir -p {path}"); Files.TryAdd(path, Directory); }
    public void WriteFile(string path, string content, uint mode) { Record($"write {path} {Convert.ToString(mode, 8)} {content.Length}"); Files[path] = RegularFile; }
    public void RewriteFile(string path, string content) => Record($"rewrite {path} {content.Length}");
    public bool MakeNode(string path, uint mode, uint major, uint minor) { Record($"mknod {path} {Convert.ToString(mode, 8)} {major}:{minor}"); return Files.TryAdd(path, RegularFile); }
    public void Symlink(string target, string linkPath) { Record($"symlink {target} {linkPath}"); Files[linkPath] = Link; }
    public void SetXattr(string path, string name, byte[] value) => Record($"setxattr {path} {name}");
    public void ChangeOwner(string path, uint uid, uint gid) => Record($"chown {path} {uid}:{gid}");
    public bool RenameNoReplace(string from, string to) { Record($"rename {from} {to}"); return true; }
    public bool RemoveDirectory(string path) { Record($"rmdir {path}"); return Files.Remove(path); }
    public void RemoveTree(string path) => Record($"rm -rf {path}");
    public void CreateSubvolume(string path) { Record($"btrfs-create {path}"); Files.TryAdd(path, Directory); }
    public void SnapshotSubvolume(string source, string destination, bool readOnly) { Record($"btrfs-snapshot{(readOnly ? " -r" : "")} {source} {destination}"); Files.TryAdd(destination, Directory); }
    public void SetSubvolumeReadOnly(string path, bool readOnly) => Record($"btrfs-readonly {path} {readOnly}");
    public bool DeleteSubvolume(string path) { Record($"btrfs-delete {path}"); return Files.Remove(path); }
    public FileStatus? LStat(string path) => Files.GetValueOrDefault(path);

    /// <summary>What kernel files hold: path → content (what reads of them find).</summary>
    public Dictionary<string, string> KernelFiles { get; } = new(StringComparer.Ordinal);

    public string? ReadKernelFile(string path) => KernelFiles.GetValueOrDefault(path);
    public void WriteKernelFile(string path, params string[] values) => Record($"write-kernel {path} {string.Join('|', values)}");
    public void WriteKernelFileIfPresent(string path, string value) => Record($"write-kernel-if-present {path} {value}");
    public void CopyKernelFileIfEmpty(string from, string to) => Record($"copy-if-empty {from} {to}");
    public void AttachDeviceProgram(byte[] instructions, string cgroupDirectory, string description) => Record($"bpf-attach {cgroupDirectory}");
    public uint SetUmask(uint mask) { Record($"umask {Convert.ToString(mask, 8)}"); return 0x12; }
    public void JoinSessionKeyring(string name) => Record($"keyring {name}");
    public void LoadSeccompFilter(byte[] program, string description) => Record($"seccomp {program.Length / 8}");
    public void SetCredentials(Credentials credentials) =>
        Record($"credentials uid={credentials.Uid} gid={credentials.Gid} groups={string.Join(',', credentials.Groups)} caps={credentials.Capabilities:x}/{credentials.LastCapability}");
    public void SetNoNewPrivileges() => Record("no_new_privs");
    public void SetResourceLimit(string name, int resource, ulong soft, ulong hard) => Record($"setrlimit {name} {soft}:{hard}");
    public void CloseOnExecFrom(int first) => Record($"cloexec {first}-");
    public int Exec(IReadOnlyList<string> args, IReadOnlyList<string> env) { Record($"execve {string.Join(' ', args)}"); return 0; }
}
