using MiniRun.Native;

namespace MiniRun.Explain;

/// <summary>
/// --dry-run: each call printed as a line of a bash script, and not done. The queries are answered as if the printed
/// steps had been done: what they made is there, what they removed is not, an overlay they mounted shows its layers
/// merged (upper, then each lower), and else the host answers.
/// </summary>
/// <param name="storeRoot">the store, whose long paths then print as shell variables (<see cref="PathLegend"/>); null: full paths.</param>
public sealed class DryRunSyscalls(TextWriter writer, ISyscalls host, string? storeRoot = null)
    : ShellSyscalls(writer, "", storeRoot is null ? null : new PathLegend(storeRoot))
{
    private static readonly FileStatus MadeDirectory = new(Syscalls.S_IFDIR | 0x1ed, 0, 0, 2, 0, 0, 0, 0, 0, default);
    private static readonly FileStatus MadeFile = new(Syscalls.S_IFREG | 0x1a4, 0, 0, 1, 0, 0, 0, 0, 0, default);
    private readonly Dictionary<string, FileStatus?> _made = new(StringComparer.Ordinal);

    protected override void Do(Action<ISyscalls> call) => call(new Tracker(this));

    protected override T Do<T>(Func<ISyscalls, T> call, T asIfDone)
    {
        call(new Tracker(this));
        return asIfDone;
    }

    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
    private readonly List<(string Target, List<string> Layers)> _overlays = [];
    private string _cwd = "/";

    public override FileStatus? LStat(string path)
    {
        if (_made.TryGetValue(path, out FileStatus? made)) return made;
        foreach ((string target, List<string> layers) in _overlays) // the merged view: upper, then each lower, top first
            if (path.StartsWith(target + "/", StringComparison.Ordinal))
            {
                foreach (string layer in layers)
                    if (LStat(layer + path[target.Length..]) is { } found) return found;
                return null;
            }
        for (string? p = Path.GetDirectoryName(path); !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
        {
            if (_links.TryGetValue(p, out string? linkTarget)) return LStat(linkTarget + path[p.Length..]);
            if (_made.TryGetValue(p, out FileStatus? above)) return above is null ? null : host.LStat(path);
        }
        return host.LStat(path);
    }

    public override string? ReadKernelFile(string path) => LStat(path) is null && _made.Count > 0 && IsBelowMade(path) ? null : host.ReadKernelFile(path);

    private bool IsBelowMade(string path)
    {
        for (string? p = Path.GetDirectoryName(path); !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
            if (_made.ContainsKey(p)) return true;
        return false;
    }

    /// <summary>Notes what a call would have made or removed, and does nothing else.</summary>
    private sealed class Tracker(DryRunSyscalls owner) : ISyscalls
    {
        private void Made(string path, FileStatus? status) => owner._made[path] = status;

        public void Explain(string why) { }
        public void Describe(string command, string why, bool alreadyDone) { }
        public void StageBegins(NamespaceFlags namespaces, string why) { }
        public void StageEnded() { }
        public void CloseOnExecFrom(int first) { }
        public void Mount(string? source, string target, string? type, MountFlags flags, string? data)
        {
            if (type != "overlay" || data is null) return;
            var layers = new List<string>();
            foreach (string option in data.Split(','))
                if (option.StartsWith("upperdir=", StringComparison.Ordinal)) layers.Insert(0, Path.Combine(owner._cwd, option[9..]));
                else if (option.StartsWith("lowerdir=", StringComparison.Ordinal)) layers.AddRange(option[9..].Split(':').Select(l => Path.Combine(owner._cwd, l)));
            owner._overlays.Add((target, layers));
        }
        public void MountInRoot(string root, MountRecord mount, IReadOnlyList<MountRecord> changes)
        {
            if (mount.ChangesAMount || owner.LStat(mount.Target) is not null) return;
            Made(mount.Target, mount.Flags.HasFlag(MountFlags.Bind) && owner.LStat(mount.Source) is { IsDirectory: false } ? MadeFile : MadeDirectory);
        }
        public bool Unmount(string target, UnmountFlags flags) => true;
        public void Unshare(NamespaceFlags flags) { }
        public void JoinNamespace(string path, NamespaceFlags type) { }
        public void PivotRoot(string newRoot) { }
        public void ChangeRoot(string newRoot) { }
        public void ChangeDirectory(string path) => owner._cwd = Path.Combine(owner._cwd, path);
        public void SetHostname(string name) { }
        public void BringLoopbackUp() { }
        public bool RemoveBridge(string name) => true;
        public void CreateNetworkNamespace(string path) => Made(path, MadeFile);
        public (int Status, byte[] Output) RunProgram(string program, IReadOnlyList<string> argv, IReadOnlyList<string> variables, byte[] input) => (0, []);
        public bool MakeDirectory(string path, uint mode) { Made(path, MadeDirectory); return true; }
        public void MakeDirectories(string path) => Made(path, MadeDirectory);
        public void WriteFile(string path, string content, uint mode) => Made(path, MadeFile);
        public void RewriteFile(string path, string content) { }
        public bool MakeNode(string path, uint mode, uint major, uint minor) { Made(path, MadeFile with { Mode = mode }); return true; }
        public void Symlink(string target, string linkPath)
        {
            Made(linkPath, MadeFile with { Mode = Syscalls.S_IFLNK | 0x1ff });
            if (Path.IsPathRooted(target)) owner._links[linkPath] = target;
        }
        public void SetXattr(string path, string name, byte[] value) { }
        public void ChangeOwner(string path, uint uid, uint gid) { }
        public bool RenameNoReplace(string from, string to) { Made(to, owner.LStat(from) ?? MadeDirectory); Made(from, null); return true; }
        public bool RemoveDirectory(string path) { Made(path, null); return true; }
        public void RemoveTree(string path) => Made(path, null);
        public void CreateSubvolume(string path) => Made(path, MadeDirectory);
        public void SnapshotSubvolume(string source, string destination, bool readOnly)
        {
            Made(destination, owner.LStat(source) ?? MadeDirectory);
            owner._links[destination] = source; // until written, a snapshot reads as its source
        }
        public void SetSubvolumeReadOnly(string path, bool readOnly) { }
        public bool DeleteSubvolume(string path) { Made(path, null); owner._links.Remove(path); return true; }
        public FileStatus? LStat(string path) => owner.LStat(path);
        public string? ReadKernelFile(string path) => owner.ReadKernelFile(path);
        public void WriteKernelFile(string path, params string[] values) { }
        public void WriteKernelFileIfPresent(string path, string value) { }
        public void CopyKernelFileIfEmpty(string from, string to) { }
        public void AttachDeviceProgram(byte[] instructions, string cgroupDirectory, string description) { }
        public uint SetUmask(uint mask) => 0x12;
        public void JoinSessionKeyring(string name) { }
        public void LoadSeccompFilter(byte[] program, string description) { }
        public void SetCredentials(Credentials credentials) { }
        public void SetNoNewPrivileges() { }
        public void SetResourceLimit(string name, int resource, ulong soft, ulong hard) { }
        public int Exec(IReadOnlyList<string> args, IReadOnlyList<string> env) => 0;
    }
}
