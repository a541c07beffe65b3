using MiniRun.Cli.CommandLine;
using MiniRun.Runtime.Spec;

namespace MiniRun.Cli.Runtime;

/// <summary>
/// MiniRun as an OCI runtime: the command line engines call runc with (runtime-spec runtime.md, runc's flags), entered
/// as `minirun runtime VERB …` or through a link named `minirun-runtime` (the verbs run, start, kill, ps and exec mean
/// Docker's verbs to `minirun` itself). Errors print runc's way (one line on stderr) and exit 1, as runc does.
/// Supported so far: the global flags, `spec` and `--version`; the lifecycle verbs (create, start, state, kill,
/// delete) come with the bundle path of `run`.
/// </summary>
public static class RuntimeCommandLine
{
    /// <summary>The name of the link `make install` puts beside minirun.</summary>
    public const string LinkName = "minirun-runtime";

    /// <summary>The OCI runtime-spec version this runtime implements.</summary>
    public const string SpecVersion = OciSpec.Version;

    public static int Run(IReadOnlyList<string> args)
    {
        try
        {
            return Dispatch(args);
        }
        catch (Exception e) when (e is UsageException || UserMessages.IsUserFacing(e))
        {
            Console.Error.WriteLine(UserMessages.Line("runtime: " + e.Message));
            return 1;
        }
    }

    private static int Dispatch(IReadOnlyList<string> args)
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
                    if (!arg.Contains('=') && ++i >= args.Count) throw new UsageException($"flag needs an argument: {arg}");
                    break;
                default:
                    throw new UsageException($"unknown flag: {arg} (see '{LinkName} --help')");
            }
        }
        if (i >= args.Count) return Help();
        string[] rest = [.. args.Skip(i + 1)];
        return args[i] switch
        {
            "spec" => Spec(rest),
            string verb => throw new UsageException($"'{verb}' is not a {LinkName} command yet: this MiniRun has `spec` and `--version`; " +
                                                    "create, start, state, kill and delete are not implemented"),
        };
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
                          "  spec     write a config.json for a new bundle (--bundle DIR)\n");
        return 0;
    }
}
