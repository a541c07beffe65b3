using MiniRun.Cli.CommandLine;
using MiniRun.Native;
using MiniRun.Runtime.Lifecycle;
using MiniRun.Runtime.Spec;
using MiniRun.Sandbox;

namespace MiniRun.Cli.Runtime;

/// <summary>
/// MiniRun as an OCI runtime: the command line engines call runc with (runtime-spec runtime.md, runc's flags), entered
/// as `minirun runtime VERB …` or through a link named `minirun-runtime` (the verbs run, start, kill, ps and exec mean
/// Docker's verbs to `minirun` itself). Errors print runc's way (one line on stderr) and exit 1, as runc does.
/// The verbs: `spec`, `create`, `start`, `state`, `kill`, `delete`, `run`, `exec`, `ps`, `pause`, `resume`, `update`,
/// `features`, and `--version`; an error also goes to --log (as JSON with --log-format json, where containerd's shim
/// looks for it).
/// </summary>
public static class RuntimeCommandLine
{
    /// <summary>The name of the link `make install` puts beside minirun.</summary>
    public const string LinkName = "minirun-runtime";

    /// <summary>This runtime's version, as `--version` gives it in runc's shape.</summary>
    public const string Version = "0.1.0";

    /// <summary>The OCI runtime-spec version this runtime implements.</summary>
    public const string SpecVersion = OciSpec.Version;

    public static int Run(IReadOnlyList<string> args)
    {
        var globals = new Globals();
        try
        {
            return Dispatch(args, globals);
        }
        catch (Exception e) when (e is UsageException || UserMessages.IsUserFacing(e))
        {
            string line = UserMessages.Line("runtime: " + e.Message);
            Console.Error.WriteLine(line);
            if (globals.Log is { } log) File.AppendAllText(log, globals.JsonLog ? $"{{\"level\":\"error\",\"msg\":{JsonString(line)},\"time\":\"{DateTimeOffset.UtcNow:O}\"}}\n" : line + "\n");
            return 1;
        }
    }

    private sealed class Globals
    {
        public string Root { get; set; } = BundleRuntime.DefaultStateRoot;
        public string? Log { get; set; }
        public bool JsonLog { get; set; }
    }

    private static string JsonString(string text) => "\"" + System.Text.Json.JsonEncodedText.Encode(text).ToString() + "\"";

    private static int Dispatch(IReadOnlyList<string> args, Globals globals)
    {
        int i = 0;
        for (; i < args.Count && args[i].StartsWith('-'); i++)
        {
            string arg = args[i];
            switch (Name(arg))
            {
                case "--version" or "-v":
                    Console.WriteLine($"{LinkName} version {Version}\nspec: {SpecVersion}");
                    return 0;
                case "--help" or "-h":
                    return Help();
                case "--systemd-cgroup":
                    throw new UsageException("--systemd-cgroup: MiniRun manages cgroups through cgroupfs only, and this machine has no systemd: " +
                                             "set the engine's cgroup driver to cgroupfs (containerd: SystemdCgroup = false)");
                case "--debug":
                    break;
                case "--rootless" when Value(args, ref i) is "true":
                    throw new UsageException("--rootless true: MiniRun runs containers as root only");
                case "--rootless":
                    break;
                case "--root" or "--log" or "--log-format" or "--criu":
                    string value = arg.Contains('=') ? arg[(arg.IndexOf('=') + 1)..] : ++i < args.Count ? args[i] : throw new UsageException($"flag needs an argument: {arg}");
                    if (Name(arg) == "--root") globals.Root = value;
                    else if (Name(arg) == "--log") globals.Log = value;
                    else if (Name(arg) == "--log-format") globals.JsonLog = value == "json";
                    break;
                default:
                    throw new UsageException($"unknown flag: {arg} (see '{LinkName} --help')");
            }
        }
        if (i >= args.Count) return Help();
        string[] rest = [.. args.Skip(i + 1)];
        // What an unknown flag's message points to; exec's command may have a --help of its own.
        if (args[i] == "exec" ? rest is ["--help", ..] : rest.Contains("--help")) return Help();
        if (!Syscalls.IsRoot && args[i] is "create" or "start" or "state" or "kill" or "delete" or "run" or "exec" or "ps" or "pause" or "resume" or "update")
            throw new MiniRunException(RootlessRefusal(args[i]));
        var runtime = new BundleRuntime(globals.Root) { Warn = message => Console.Error.WriteLine($"{LinkName}: warning: {message}") };
        return args[i] switch
        {
            "spec" => Spec(rest),
            "create" => Create(runtime, rest),
            "start" => Start(runtime, rest),
            "state" => State(runtime, rest),
            "kill" => Kill(runtime, rest),
            "delete" => Delete(runtime, rest),
            "run" => RunVerb(runtime, rest),
            "exec" => RuntimeExecCommand.Exec(runtime, rest),
            "ps" => Ps(runtime, rest),
            "pause" => Pause(runtime, rest, pause: true),
            "resume" => Pause(runtime, rest, pause: false),
            "update" => RuntimeExecCommand.Update(runtime, rest),
            "features" => Features(rest),
            "checkpoint" or "restore" => throw new UsageException($"{args[i]}: checkpoint and restore (CRIU) are not supported by MiniRun"),
            string verb => throw new UsageException($"'{verb}' is not a {LinkName} command (see '{LinkName} --help')"),
        };
    }

    /// <summary>
    /// An ordinary user's runtime verb, in one line, before anything is touched. Rootless runc keeps its state in
    /// $XDG_RUNTIME_DIR/runc, needs config.json to carry a user namespace with mappings and leaves cgroups alone;
    /// this runtime has none of that: its state is root's /run/minirun-runtime and its containers are made as root's
    /// are (namespaces joined, cgroups made), which would fail half-way with EPERM. Root of a user namespace (a rootless
    /// engine's) is root here, as runc sees it.
    /// </summary>
    internal static string RootlessRefusal(string verb) =>
        $"{verb} needs root: this OCI runtime has no rootless mode (no state under $XDG_RUNTIME_DIR, no user namespace of its own, no rootless cgroups); " +
        "run it with sudo, or use `minirun run` for a rootless container";

    /// <summary>A global flag's value: after '=' in the same token, or the next token (runc's --rootless takes one).</summary>
    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        string arg = args[i];
        if (arg.Contains('=')) return arg[(arg.IndexOf('=') + 1)..];
        return i + 1 < args.Count && !args[i + 1].StartsWith('-') && args[i + 1] is "true" or "false" or "auto" ? args[++i] : "true";
    }

    private static readonly OptionSpec BundleOption = OptionSpec.Value("bundle", 'b', "DIR", "the bundle: config.json and its root filesystem (default: .)");

    private static readonly OptionSpec[] CreateOptions =
    [
        BundleOption,
        OptionSpec.Value("pid-file", null, "FILE", "where to write the container's PID"),
        OptionSpec.Value("console-socket", null, "SOCKET", "a unix socket the pty master of process.terminal is sent to"),
        OptionSpec.Flag("no-pivot", null, "enter the root with chroot(2), not pivot_root(2)"),
        OptionSpec.Flag("no-new-keyring", null, "keep the caller's session keyring"),
    ];

    /// <summary>One verb's arguments, with the flags runc gives it (`ArgumentParser`, as `minirun`'s own verbs).</summary>
    private static ParsedArguments Parse(string verb, string[] args, IReadOnlyList<OptionSpec> options, int positionals, string usage)
    {
        ParsedArguments parsed = ArgumentParser.Parse("runtime " + verb, args, options);
        if (parsed.Positionals.Count != positionals) throw new UsageException($"{verb}: {usage}");
        return parsed;
    }

    private static int Create(BundleRuntime runtime, string[] args)
    {
        ParsedArguments parsed = Parse("create", args, CreateOptions, 1, "create [--bundle DIR] [--pid-file FILE] [--console-socket SOCKET] [--no-pivot] [--no-new-keyring] ID");
        BundleState state = runtime.Create(parsed.Positionals[0], parsed.Get("bundle") ?? ".", parsed.Has("no-pivot"), parsed.Has("no-new-keyring"), parsed.Get("console-socket"));
        if (parsed.Get("pid-file") is { } pidFile) WritePidFile(pidFile, state.Pid);
        return 0;
    }

    /// <summary>--pid-file: the PID as text, written whole (the shim reads it as soon as we exit).</summary>
    internal static void WritePidFile(string pidFile, int pid) =>
        AtomicFile.WriteAllBytes(Path.GetFullPath(pidFile), System.Text.Encoding.ASCII.GetBytes(pid.ToString(System.Globalization.CultureInfo.InvariantCulture)), durable: false);

    /// <summary>
    /// `run [--bundle DIR] [--pid-file FILE] [--detach] ID`: create and start; in the foreground it waits for the
    /// process (signals forwarded), deletes the container and exits with the process's status, as runc run does.
    /// </summary>
    private static int RunVerb(BundleRuntime runtime, string[] args)
    {
        ParsedArguments parsed = Parse("run", args, [.. CreateOptions, OptionSpec.Flag("detach", 'd', "return once the process runs")], 1,
            "run [--bundle DIR] [--pid-file FILE] [--console-socket SOCKET] [--detach] ID");
        string id = parsed.Positionals[0];
        bool detach = parsed.Has("detach");
        BundleState state = runtime.Create(id, parsed.Get("bundle") ?? ".", parsed.Has("no-pivot"), parsed.Has("no-new-keyring"), parsed.Get("console-socket"));
        if (parsed.Get("pid-file") is { } pidFile) WritePidFile(pidFile, state.Pid);
        if (detach)
        {
            runtime.Start(id);
            return 0;
        }
        try
        {
            return runtime.StartAndWait(id);
        }
        finally
        {
            runtime.Delete(id, force: true);
        }
    }

    /// <summary>`ps [--format table|json] ID`: json is the list of PIDs, as containerd's shim reads it.</summary>
    private static int Ps(BundleRuntime runtime, string[] args)
    {
        ParsedArguments parsed = Parse("ps", args, [OptionSpec.Value("format", 'f', "FORMAT", "table or json")], 1, "ps [--format table|json] ID");
        List<int> pids = runtime.Processes(parsed.Positionals[0]);
        switch (parsed.Get("format") ?? "table")
        {
            case "json":
                Console.WriteLine("[" + string.Join(",", pids) + "]");
                break;
            case "table":
                Console.WriteLine("PID     CMD");
                foreach (int pid in pids)
                    Console.WriteLine($"{pid,-8}{(KernelFiles.TryReadAll($"/proc/{pid}/cmdline") ?? "").Replace('\0', ' ').Trim()}");
                break;
            case string format:
                throw new UsageException($"ps: --format {format}: use table or json");
        }
        return 0;
    }

    private static int Pause(BundleRuntime runtime, string[] args, bool pause)
    {
        string id = Parse(pause ? "pause" : "resume", args, [], 1, pause ? "pause ID" : "resume ID").Positionals[0];
        if (pause) runtime.Pause(id);
        else runtime.Resume(id);
        return 0;
    }

    private static int Features(string[] args)
    {
        Parse("features", args, [], 0, "features");
        Console.WriteLine(RuntimeFeatures.Json());
        return 0;
    }

    private static int Start(BundleRuntime runtime, string[] args)
    {
        runtime.Start(Parse("start", args, [], 1, "start ID").Positionals[0]);
        return 0;
    }

    private static int State(BundleRuntime runtime, string[] args)
    {
        string id = Parse("state", args, [], 1, "state ID").Positionals[0];
        Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(runtime.State(id), BundleStateJsonContext.Default.OciState));
        return 0;
    }

    /// <summary>`kill [--all] ID [SIGNAL]` (SIGTERM when none is given, as runc).</summary>
    private static int Kill(BundleRuntime runtime, string[] args)
    {
        ParsedArguments parsed = ArgumentParser.Parse("runtime kill", args, [OptionSpec.Flag("all", 'a', "every process of the container")]);
        if (parsed.Positionals.Count is < 1 or > 2) throw new UsageException("kill: kill [--all] ID [SIGNAL]");
        runtime.Kill(parsed.Positionals[0], parsed.Positionals.Count == 2 ? Signals.Parse(parsed.Positionals[1]) : Signal.Term, parsed.Has("all"));
        return 0;
    }

    private static int Delete(BundleRuntime runtime, string[] args)
    {
        ParsedArguments parsed = Parse("delete", args, [OptionSpec.Flag("force", 'f', "kill it first if it runs")], 1, "delete [--force] ID");
        runtime.Delete(parsed.Positionals[0], parsed.Has("force"));
        return 0;
    }

    /// <summary>`spec [--bundle DIR]`: writes DIR/config.json (DIR: the working directory), refusing to replace one, as runc does.</summary>
    private static int Spec(string[] args)
    {
        string bundle = Parse("spec", args, [BundleOption], 0, "spec [--bundle DIR]").Get("bundle") ?? ".";
        string file = Path.Combine(bundle, OciSpecJson.FileName);
        if (File.Exists(file)) throw new UsageException($"spec: {file} exists: remove it first");
        if (!Directory.Exists(bundle)) throw new UsageException($"spec: no such directory: {bundle}");
        // An ordinary user writes a bundle for the runtime run as root later: root's capabilities, not the user's (none).
        SpecHost host = SpecHost.Current();
        if (!Syscalls.IsRoot) host = host with { HeldCapabilities = Capabilities.All(host.LastCapability) };
        OciSpecJson.Write(bundle, BundleSpec.Default(host));
        return 0;
    }

    private static string Name(string arg) => arg.Contains('=') ? arg[..arg.IndexOf('=')] : arg;

    private static int Help()
    {
        Console.WriteLine($"Usage: {LinkName} [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND\n\n" +
                          "MiniRun as an OCI runtime, called as engines call runc (also: minirun runtime COMMAND).\n\nCommands:\n" +
                          "  spec     write a config.json for a new bundle (--bundle DIR)\n" +
                          "  create   create a container from a bundle: [--bundle DIR] [--pid-file FILE] [--no-pivot] ID\n" +
                          "  start    run the created container's process: ID\n  state    its state as JSON: ID\n" +
                          "  kill     signal its process: [--all] ID [SIGNAL]\n  delete   remove a stopped container: [--force] ID\n" +
                          "  run      create and start; waits for the process unless --detach: [create's flags] [--detach] ID\n" +
                          "  exec     one more process in it: [--process FILE] [--tty --console-socket S] [--detach] [--pid-file F]\n" +
                          "           [--cwd DIR] [--env K=V] [--user UID[:GID]] ID [COMMAND ARG...]\n" +
                          "  ps       its processes: [--format table|json] ID\n  pause    freeze its processes: ID\n  resume   thaw them: ID\n" +
                          "  update   new cgroup limits: [--resources FILE|-] [--memory N] [--pids-limit N] [--cpu-quota N] ... ID\n" +
                          "  features what this runtime supports (runtime-spec features.md)\n");
        return 0;
    }
}

