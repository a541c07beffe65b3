using MiniRun.Native;

namespace MiniRun.Explain;

/// <summary>
/// The seam's calls as a bash script of standard tools (util-linux, coreutils, attr, keyutils, libcap's capsh): each
/// call is printed as "# why" and its command. What the init stage does inside its namespaces is nested: each
/// namespace it enters opens `exec unshare … bash -e &lt;&lt;'NAME'`, closed after the command's exec line, so that the
/// printed lines, replayed in order with bash, make the same container and run the same command.
/// Two steps no host tool can replay as minirun does them are marked and replayed otherwise: pivot_root (after it,
/// no host tool would be found, so capsh --chroot enters the root together with the user and capabilities), and the
/// seccomp filter (no host tool loads one: the replay runs without it).
/// </summary>
public abstract partial class ShellSyscalls : ISyscalls
{
    private readonly TextWriter _writer;
    private readonly string _prefix;
    private readonly List<(string Delimiter, bool Stage)> _scopes = [];
    private string? _why;
    // Between entering the root and the exec: the host's view of the root, the working directory, who to become.
    private string? _root;
    private string _workingDirectory = "/";
    private Credentials? _credentials;
    private bool _noNewPrivileges;
    private readonly PathLegend? _legend;

    /// <param name="prefix">what each command line starts with ("+ " for --explain; nothing in a script).</param>
    /// <param name="legend">shortens the printed paths into shell variables; null: full paths.</param>
    protected ShellSyscalls(TextWriter writer, string prefix, PathLegend? legend = null)
    {
        _writer = writer;
        _prefix = prefix;
        _legend = legend;
    }

    /// <summary>The shorthands defined so far (NAME=VALUE), for the init stage's own narration, which the parent's shell runs nested.</summary>
    public IReadOnlyList<string> Shorthands => _legend?.Defined ?? [];

    public void Explain(string why) => _why = why;

    public void Describe(string command, string why, bool alreadyDone) => Print(command, why, alreadyDone ? "#(done) " : null);

    /// <summary>The init stage starts, born in <paramref name="namespaces"/>; its steps follow, nested, until its exec.</summary>
    public void StageBegins(NamespaceFlags namespaces, string why)
    {
        string delimiter = Delimiter("INIT");
        // No namespace to be born in (--pid host): a plain shell, the namespaces come with its first unshare.
        string shell = namespaces == NamespaceFlags.None ? "bash" : $"unshare {UnshareOptions(namespaces)} --propagation unchanged bash";
        Print($"{shell} -e <<'{delimiter}' && status=0 || status=$?", why);
        _scopes.Add((delimiter, true));
    }

    /// <summary>The init stage has execve()d: the lines it printed end here.</summary>
    public void StageEnded()
    {
        while (_scopes.Count > 0)
        {
            (string delimiter, bool stage) = _scopes[^1];
            _scopes.RemoveAt(_scopes.Count - 1);
            _legend?.Leave(_scopes.Count);
            Line(delimiter);
            if (stage) break;
        }
    }

    // Passing on: the decorator's inner seam (--explain), or nothing (--dry-run).

    protected abstract void Do(Action<ISyscalls> call);

    protected abstract T Do<T>(Func<ISyscalls, T> call, T asIfDone);

    public abstract FileStatus? LStat(string path);

    public abstract string? ReadKernelFile(string path);

    public void Mount(string? source, string target, string? type, MountFlags flags, string? data)
    {
        Print(MountCommand.Format(source, Host(target), type, flags, data), MountCommand.Why(source, target, type, flags));
        Do(s => s.Mount(source, target, type, flags, data));
    }

    public void MountInRoot(string root, MountRecord mount, IReadOnlyList<MountRecord> changes)
    {
        if (!mount.ChangesAMount && LStat(mount.Target) is null)
        {
            string? why = _why; // the mount's own reason goes with the mount line
            _why = null;
            string p = Q(Host(mount.Target));
            Print(mount.Flags.HasFlag(MountFlags.Bind) && LStat(mount.Source) is { IsDirectory: false } ? $"install -m 644 /dev/null {p}" : $"mkdir -p {p}",
                "a mount needs a place to land (made only when missing, inside the root: a symlink on the way is resolved there)");
            _why = why;
        }
        foreach (MountRecord m in (IEnumerable<MountRecord>)[mount, .. changes])
            Print(MountCommand.Format(m.Source, Host(m.Target), m.Type, m.Flags, m.Data),
                m.IsRemount && m.Flags.HasFlag(MountFlags.Bind) ? "read-only and the other flags: a bind takes them from a remount of it (mount(2))"
                : MountCommand.Why(m.Source, m.Target, m.Type, m.Flags));
        Do(s => s.MountInRoot(root, mount, changes));
    }

    public bool Unmount(string target, UnmountFlags flags)
    {
        Print($"umount {(flags.HasFlag(UnmountFlags.Detach) ? "-l " : "")}{Q(target)}", "unmount");
        return Do(s => s.Unmount(target, flags), true);
    }

    public void JoinNamespace(string path, NamespaceFlags type)
    {
        Print($"# setns {Q(path)}: the lines below run in that {string.Join("", NamespaceNames(type))} namespace (nsenter {UnshareOptions(type).Split(' ')[0]}={Q(path)})",
            "linux.namespaces[].path: an existing namespace joined");
        Do(s => s.JoinNamespace(path, type));
    }

    public void Unshare(NamespaceFlags flags)
    {
        if (flags == NamespaceFlags.FileSystem) { Do(s => s.Unshare(flags)); return; } // a thread's own cwd: nothing to show
        string delimiter = Delimiter(flags == NamespaceFlags.Cgroup ? "CGROUP" : "NAMESPACES");
        Print($"exec unshare {UnshareOptions(flags)}{(flags.HasFlag(NamespaceFlags.Mount) ? " --propagation unchanged" : "")} bash -e <<'{delimiter}'",
            "new namespaces: " + string.Join(", ", NamespaceNames(flags)) + " (namespaces(7)); the lines up to " + delimiter + " run inside them");
        _scopes.Add((delimiter, false));
        Do(s => s.Unshare(flags));
    }

    public void PivotRoot(string newRoot)
    {
        Comment($"cd {Q(newRoot)} && pivot_root . . && mount --make-rslave . && umount -l . && cd /",
            "not replayed: after it no host tool (capsh) could be found; capsh --chroot enters the root below instead");
        _root = newRoot;
        Do(s => s.PivotRoot(newRoot));
    }

    public void ChangeRoot(string newRoot)
    {
        Comment($"cd {Q(newRoot)} && chroot .", "replayed below by capsh --chroot, with the user and capabilities");
        _root = newRoot;
        Do(s => s.ChangeRoot(newRoot));
    }

    public void ChangeDirectory(string path)
    {
        if (_root is not null) _workingDirectory = path; // inside the root: the exec line's `cd` does it
        else Print($"cd {Q(path)}", "work from here");
        Do(s => s.ChangeDirectory(path));
    }

    public void SetHostname(string name)
    {
        Print($"hostname {Q(name)}", "the UTS namespace has its own host name");
        Do(s => s.SetHostname(name));
    }

    public void BringLoopbackUp()
    {
        Print("ip link set lo up", "a new network namespace has only lo, and it starts down");
        Do(s => s.BringLoopbackUp());
    }

    public void CreateNetworkNamespace(string path)
    {
        Print($"touch {Q(path)} && unshare --net={Q(path)} ip link set lo up",
            "a network namespace that outlives its processes, bind-mounted on a file (ip netns add does the same under /run/netns), its lo up");
        Do(s => s.CreateNetworkNamespace(path));
    }

    public bool RemoveBridge(string name)
    {
        Print($"ip link delete {Q(name)}", "the network's Linux bridge goes with it (the CNI bridge plugin made it and never removes it)");
        return Do(s => s.RemoveBridge(name), true);
    }

    public (int Status, byte[] Output) RunProgram(string program, IReadOnlyList<string> argv, IReadOnlyList<string> variables, byte[] input)
    {
        string text = System.Text.Encoding.UTF8.GetString(input).TrimEnd('\n');
        string command = string.Join(' ', [.. variables.Select(ShellQuote.Quote), Q(program), .. argv.Skip(1).Select(ShellQuote.Quote)]);
        Print(text.Length == 0 ? command : $"{command} <<'EOF'\n{text}\nEOF", $"run {Path.GetFileName(program)}");
        return Do(s => s.RunProgram(program, argv, variables, input), (0, []));
    }

    public bool MakeDirectory(string path, uint mode)
    {
        Print($"mkdir -p{(mode == 0x1ed ? "" : " -m " + Octal(mode))} {Q(Host(path))}", "a directory");
        return Do(s => s.MakeDirectory(path, mode), true);
    }

    public void MakeDirectories(string path)
    {
        Print($"mkdir -p {Q(Host(path))}", "a directory, and any parents missing");
        Do(s => s.MakeDirectories(path));
    }

    public void WriteFile(string path, string content, uint mode)
    {
        string p = Q(Host(path));
        // Several lines (config.json): a here-document reads as the file itself; a quoted delimiter keeps $ and \ as they are.
        if (content.EndsWith('\n') && content.Count(c => c == '\n') > 1 && !content.Split('\n').Contains("EOF"))
            Print($"install -m {Octal(mode)} /dev/stdin {p} <<'EOF'\n{content}EOF", "a file");
        else Print($"printf %s {ShellQuote.Quote(content)} > {p} && chmod {Octal(mode)} {p}", "a file");
        Do(s => s.WriteFile(path, content, mode));
    }

    public void RewriteFile(string path, string content)
    {
        // The shell's > truncates the file it opens and keeps its inode, as the call does (no temporary file, no rename).
        string p = Q(Host(path));
        if (content.EndsWith('\n') && content.Count(c => c == '\n') > 1 && !content.Split('\n').Contains("EOF"))
            Print($"cat > {p} <<'EOF'\n{content}EOF", "a file rewritten in place");
        else Print($"printf %s {ShellQuote.Quote(content)} > {p}", "a file rewritten in place");
        Do(s => s.RewriteFile(path, content));
    }

    public bool MakeNode(string path, uint mode, uint major, uint minor)
    {
        string type = (mode & Syscalls.S_IFMT) switch { Syscalls.S_IFBLK => "b", Syscalls.S_IFIFO => "p", _ => "c" };
        string numbers = type == "p" ? "" : $" {major} {minor}";
        string permissions = (mode & 0xfff) == 0 ? "" : $"-m {Octal(mode & 0xfff)} "; // none: a whiteout, whose mode overlayfs ignores
        Print($"mknod {permissions}{Q(Host(path))} {type}{numbers}", "a device node");
        return Do(s => s.MakeNode(path, mode, major, minor), true);
    }

    public void ChangeOwner(string path, uint uid, uint gid)
    {
        Print($"chown -h {uid}:{gid} {Q(Host(path))}", "the node's owner");
        Do(s => s.ChangeOwner(path, uid, gid));
    }

    public void Symlink(string target, string linkPath)
    {
        Print($"ln -s {Q(target)} {Q(Host(linkPath))}", "a symbolic link");
        Do(s => s.Symlink(target, linkPath));
    }

    public void SetXattr(string path, string name, byte[] value)
    {
        bool text = value.Length > 0 && Array.TrueForAll(value, b => b is >= 0x20 and < 0x7f);
        string shown = text ? ShellQuote.Quote(System.Text.Encoding.ASCII.GetString(value)) : "0x" + Convert.ToHexStringLower(value);
        Print($"setfattr -n {Q(name)} -v {shown} {Q(Host(path))}", "an extended attribute");
        Do(s => s.SetXattr(path, name, value));
    }

    public bool RenameNoReplace(string from, string to)
    {
        Print($"mv -T {Q(from)} {Q(to)}", "one rename(2): a reader sees all of it or nothing");
        return Do(s => s.RenameNoReplace(from, to), true);
    }

    public bool RemoveDirectory(string path)
    {
        Print($"[ ! -d {Q(path)} ] || rmdir {Q(path)}", "remove a directory");
        return Do(s => s.RemoveDirectory(path), true);
    }

    public void RemoveTree(string path)
    {
        Print($"rm -rf {Q(path)}", "remove the directory and all it holds");
        Do(s => s.RemoveTree(path));
    }

    public void WriteKernelFile(string path, params string[] values)
    {
        foreach (string value in values) Print($"echo {ShellQuote.Quote(value.TrimEnd('\n'))} > {Q(path)}", KernelFileWhy(path));
        Do(s => s.WriteKernelFile(path, values));
    }

    public void WriteKernelFileIfPresent(string path, string value)
    {
        Print($"[ ! -e {Q(path)} ] || echo {ShellQuote.Quote(value)} > {Q(path)}", KernelFileWhy(path));
        Do(s => s.WriteKernelFileIfPresent(path, value));
    }

    public void CopyKernelFileIfEmpty(string from, string to)
    {
        Print($"[ -n \"$(cat {Q(to)})\" ] || cat {Q(from)} > {Q(to)}", KernelFileWhy(to));
        Do(s => s.CopyKernelFileIfEmpty(from, to));
    }

    public void AttachDeviceProgram(byte[] instructions, string cgroupDirectory, string description)
    {
        Comment($"bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, {instructions.Length / 8} instructions) and BPF_PROG_ATTACH to {Q(cgroupDirectory)}: {description}",
            "no host tool loads one: the replay runs without it");
        Do(s => s.AttachDeviceProgram(instructions, cgroupDirectory, description));
    }

    public uint SetUmask(uint mask)
    {
        Print($"umask {Octal(mask).PadLeft(3, '0')}", "the file mode creation mask");
        return Do(s => s.SetUmask(mask), 0x12u);
    }

    public void JoinSessionKeyring(string name)
    {
        Print($"keyctl new_session {Q(name)} >/dev/null", "a session keyring of its own (keyctl(2) KEYCTL_JOIN_SESSION_KEYRING, as runc): the host's session keys are out of reach");
        Do(s => s.JoinSessionKeyring(name));
    }

    public void LoadSeccompFilter(byte[] program, string description)
    {
        Comment($"seccomp: {description}, {program.Length / 8} BPF instructions, loaded with prctl(PR_SET_SECCOMP)",
            "no host tool loads a filter: the replay runs the command without it");
        Do(s => s.LoadSeccompFilter(program, description));
    }

    public void SetCredentials(Credentials credentials)
    {
        _credentials = credentials; // printed with the exec: capsh does it on the way in
        Do(s => s.SetCredentials(credentials));
    }

    public void SetResourceLimit(string name, int resource, ulong soft, ulong hard)
    {
        string option = name.StartsWith("RLIMIT_", StringComparison.Ordinal) ? name[7..].ToLowerInvariant() : name.ToLowerInvariant();
        Print($"prlimit --pid $$ --{option}={Limit(soft)}:{Limit(hard)}", "a resource limit the command inherits (setrlimit(2))");
        Do(s => s.SetResourceLimit(name, resource, soft, hard));
    }

    private static string Limit(ulong value) => value == ulong.MaxValue ? "unlimited" : value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public void SetNoNewPrivileges()
    {
        _noNewPrivileges = true;
        Do(s => s.SetNoNewPrivileges());
    }

    public void CloseOnExecFrom(int first) => Do(s => s.CloseOnExecFrom(first)); // nothing a shell shows: bash's own descriptors are its

    public int Exec(IReadOnlyList<string> args, IReadOnlyList<string> env)
    {
        string command = $"env -i {ShellQuote.Join(env)} {ShellQuote.Join(args)}";
        if (_root is not null)
        {
            string nnp = _noNewPrivileges ? "setpriv --no-new-privs " : "";
            command = $"env -i {ShellQuote.Join(env)} {nnp}{CapshCommand.Format(_credentials, _root)} --shell=/bin/sh -- -c 'cd \"$0\" && exec \"$@\"' " +
                      $"{Q(_workingDirectory)} {ShellQuote.Join(args)}";
        }
        Print("exec " + command, "execve(2): the command replaces the init stage, as PID 1, with only the container's environment" +
                                 (_root is null ? "" : "; capsh keeps only the container's capabilities, enters the root and becomes the user"));
        while (_scopes.Count > 0 && !_scopes[^1].Stage)
        {
            Line(_scopes[^1].Delimiter);
            _scopes.RemoveAt(_scopes.Count - 1);
            _legend?.Leave(_scopes.Count);
        }
        return Do(s => s.Exec(args, env), 0);
    }

    /// <summary>A path the code names inside the root (after entering it), as the host sees it (the replay never enters it).</summary>
    private string Host(string path) => _root is not null && path.StartsWith('/') ? (path == "/" ? _root : _root + path) : path;

    private void Print(string command, string fallbackWhy, string? marker = null)
    {
        string why = _why ?? fallbackWhy;
        _why = null;
        if (_legend is not null)
        {
            var definitions = new List<(string Line, string What)>();
            why = _legend.Abbreviate(why, _scopes.Count, definitions);
            int firstLineEnd = command.IndexOf('\n') is >= 0 and int end ? end : command.Length; // a here-document's body is the file's, as it is
            command = _legend.Abbreviate(command[..firstLineEnd], _scopes.Count, definitions) + command[firstLineEnd..];
            if (definitions.Count > 0)
            {
                _writer.WriteLine("# shorthands for the paths below: " + string.Join("; ", definitions.Select(d => d.What)));
                foreach ((string line, string _) in definitions) Line(line);
            }
        }
        foreach (string line in why.Split('\n')) _writer.WriteLine("# " + line);
        Line((marker ?? "") + command, marker is not null);
        _writer.Flush();
    }

    private void Comment(string command, string note) => Print(command + "   # " + note, _why ?? note, "# ");

    private void Line(string text, bool comment = false)
    {
        string prefix = comment ? "" : _prefix;
        // A here-document's lines carry the prefix too, so that `grep '^+ '` of --explain still replays them.
        _writer.WriteLine(prefix + (prefix.Length == 0 ? text : text.Replace("\n", "\n" + prefix)));
        _writer.Flush();
    }

    /// <summary>Each scope is opened once per run (the stage, its namespaces, its cgroup namespace): the name alone is unique.</summary>
    private static string Delimiter(string name) => name;

    private static string UnshareOptions(NamespaceFlags flags)
    {
        var options = new List<string>();
        if (flags.HasFlag(NamespaceFlags.Mount)) options.Add("--mount");
        if (flags.HasFlag(NamespaceFlags.Uts)) options.Add("--uts");
        if (flags.HasFlag(NamespaceFlags.Ipc)) options.Add("--ipc");
        if (flags.HasFlag(NamespaceFlags.Network)) options.Add("--net");
        if (flags.HasFlag(NamespaceFlags.Cgroup)) options.Add("--cgroup");
        if (flags.HasFlag(NamespaceFlags.Pid)) options.Add("--pid --fork");
        return string.Join(' ', options);
    }

    private static IEnumerable<string> NamespaceNames(NamespaceFlags flags)
    {
        if (flags.HasFlag(NamespaceFlags.Mount)) yield return "mount";
        if (flags.HasFlag(NamespaceFlags.Uts)) yield return "UTS";
        if (flags.HasFlag(NamespaceFlags.Ipc)) yield return "IPC";
        if (flags.HasFlag(NamespaceFlags.Network)) yield return "network";
        if (flags.HasFlag(NamespaceFlags.Cgroup)) yield return "cgroup";
        if (flags.HasFlag(NamespaceFlags.Pid)) yield return "PID";
    }

    private static string KernelFileWhy(string path) => Path.GetFileName(path) switch
    {
        "cgroup.subtree_control" => "enable the controllers for the cgroups below (cgroup v2: top down)",
        "cgroup.procs" or "tasks" => "join the cgroup (0 is the writer): the command and its children stay in it",
        "memory.max" or "memory.limit_in_bytes" => "the memory limit, in bytes: past it the kernel reclaims, then OOM-kills",
        "memory.swap.max" or "memory.memsw.limit_in_bytes" => "no swapping past the memory limit",
        "pids.max" => "at most this many processes: fork() fails beyond",
        "cpu.max" or "cpu.cfs_quota_us" or "cpu.cfs_period_us" => "CPU time: a quota per 100 ms period",
        "cpu.weight" or "cpu.shares" => "relative CPU weight under contention",
        "cpuset.cpus" or "cpuset.mems" => "a new cpuset cgroup has no CPUs or memory nodes until they are copied from its parent",
        "cgroup.clone_children" => "new cpuset cgroups below copy their CPUs and memory nodes from this one",
        "devices.allow" or "devices.deny" => "device access rule (cgroup v1 devices controller): deny all, then allow the standard nodes",
        _ => "a kernel setting",
    };

    private static string Octal(uint mode) => Convert.ToString(mode, 8);

    private static string Q(string word) => ShellQuote.Quote(word);
}
