using MiniRun.Cli.CommandLine;
using MiniRun.Native;
using MiniRun.Runtime.Lifecycle;
using MiniRun.Runtime.Spec;

namespace MiniRun.Cli.Runtime;

/// <summary>
/// MiniRun as an OCI runtime: the command line engines call runc with (runtime-spec runtime.md, runc's flags), entered
/// as `minirun runtime VERB …` or through a link named `minirun-runtime` (the verbs run, start, kill, ps and exec mean
/// Docker's verbs to `minirun` itself). Errors print runc's way (one line on stderr) and exit 1, as runc does.
/// Supported so far: the global flags, `spec`, `create`, `start`, `state`, `kill`, `delete` and `--version`; an error
/// also goes to --log (as JSON with --log-format json, where containerd's shim looks for it).
/// </summary>
public static class RuntimeCommandLine
{
    /// <summary>The name of the link `make install` puts beside minirun.</summary>
    public const string LinkName = "minirun-runtime";

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

    private static string JsonString(string text) => System.Text.Json.JsonSerializer.Serialize(text, RuntimeJsonContext.Default.String);

    private static int Dispatch(IReadOnlyList<string> args, Globals globals)
    {
        int i = 0;
        for (; i < args.Count && args[i].StartsWith('-'); i++)
        {
            string arg = args[i];
            switch (Name(arg))
            {
                case "--version" or "-v":
                    Console.WriteLine($"{LinkName} version 0.1.0\nspec: {SpecVersion}");
                    return 0;
                case "--help" or "-h":
                    return Help();
                case "--systemd-cgroup":
                    throw new UsageException("--systemd-cgroup: MiniRun manages cgroups through cgroupfs only, and this machine has no systemd: " +
                                             "set the engine's cgroup driver to cgroupfs (containerd: SystemdCgroup = false)");
                case "--debug":
                    break;
                case "--root" or "--log" or "--log-format" or "--criu" or "--rootless":
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
        var runtime = new BundleRuntime(globals.Root);
        return args[i] switch
        {
            "spec" => Spec(rest),
            "create" => Create(runtime, rest),
            "start" => Each(rest, "start", runtime.Start),
            "state" => State(runtime, rest),
            "kill" => Kill(runtime, rest),
            "delete" => Delete(runtime, rest),
            string verb => throw new UsageException($"'{verb}' is not a {LinkName} command yet (spec, create, start, state, kill, delete)"),
        };
    }

    /// <summary>`create [--bundle DIR] [--pid-file FILE] [--no-pivot] [--no-new-keyring] ID`.</summary>
    private static int Create(BundleRuntime runtime, string[] args)
    {
        string bundle = ".", id = "";
        string? pidFile = null;
        bool noPivot = false, noNewKeyring = false;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string Value() => arg.Contains('=') ? arg[(arg.IndexOf('=') + 1)..] : ++i < args.Length ? args[i] : throw new UsageException($"flag needs an argument: {arg}");
            switch (Name(arg))
            {
                case "--bundle" or "-b": bundle = Value(); break;
                case "--pid-file": pidFile = Value(); break;
                case "--no-pivot": noPivot = true; break;
                case "--no-new-keyring": noNewKeyring = true; break;
                case "--console-socket": throw new UsageException("create: --console-socket: a terminal for the container is not supported yet");
                default:
                    if (arg.StartsWith('-')) throw new UsageException($"create: unknown flag {arg}");
                    id = arg;
                    break;
            }
        }
        if (id.Length == 0) throw new UsageException("create: the container ID is missing: create [--bundle DIR] ID");
        BundleState state = runtime.Create(id, bundle, noPivot, noNewKeyring);
        if (pidFile is not null) AtomicFile.WriteAllBytes(Path.GetFullPath(pidFile), System.Text.Encoding.ASCII.GetBytes(state.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)), durable: false);
        return 0;
    }

    private static int State(BundleRuntime runtime, string[] args)
    {
        if (args.Length != 1) throw new UsageException("state: give one container ID");
        Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(runtime.State(args[0]), RuntimeJsonContext.Default.OciState));
        return 0;
    }

    /// <summary>`kill [--all] ID [SIGNAL]` (SIGTERM when none is given, as runc).</summary>
    private static int Kill(BundleRuntime runtime, string[] args)
    {
        string[] words = [.. args.Where(a => a is not ("--all" or "-a"))];
        if (words.Length is < 1 or > 2) throw new UsageException("kill: kill [--all] ID [SIGNAL]");
        runtime.Kill(words[0], words.Length == 2 ? Signals.Parse(words[1]) : Signal.Term);
        return 0;
    }

    private static int Delete(BundleRuntime runtime, string[] args)
    {
        bool force = args.Any(a => a is "--force" or "-f");
        string[] ids = [.. args.Where(a => !a.StartsWith('-'))];
        if (ids.Length != 1) throw new UsageException("delete: delete [--force] ID");
        runtime.Delete(ids[0], force);
        return 0;
    }

    private static int Each(string[] args, string verb, Action<string> action)
    {
        if (args.Length != 1 || args[0].StartsWith('-')) throw new UsageException($"{verb}: give one container ID");
        action(args[0]);
        return 0;
    }

    /// <summary>`spec [--bundle DIR]`: writes DIR/config.json (DIR: the working directory), refusing to replace one, as runc does.</summary>
    private static int Spec(string[] args)
    {
        string bundle = ".";
        for (int i = 0; i < args.Length; i++)
        {
            if (Name(args[i]) is "--bundle" or "-b")
                bundle = args[i].Contains('=') ? args[i][(args[i].IndexOf('=') + 1)..] : ++i < args.Length ? args[i] : throw new UsageException("flag needs an argument: --bundle");
            else throw new UsageException($"spec: unexpected argument {args[i]}: it takes only --bundle DIR");
        }
        string file = Path.Combine(bundle, OciSpecJson.FileName);
        if (File.Exists(file)) throw new UsageException($"spec: {file} exists: remove it first");
        if (!Directory.Exists(bundle)) throw new UsageException($"spec: no such directory: {bundle}");
        OciSpecJson.Write(bundle, BundleSpec.Default(SpecHost.Current()));
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
                          "  kill     signal its process: ID [SIGNAL]\n  delete   remove a stopped container: [--force] ID\n");
        return 0;
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(OciState))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class RuntimeJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
