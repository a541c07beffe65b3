using MiniRun.Runtime.Lifecycle;
using MiniRun.Native;
using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Completion;
using MiniRun.Cli.Help;
using MiniRun.Cli.Output;
using MiniRun.Cli.Runtime;
using MiniRun.Cli.Verbs;
using MiniRun.Containers;
using MiniRun.Sandbox;
using MiniRun.Rootless;
using MiniRun.Store;

namespace MiniRun.Cli;

/// <summary>`minirun [--root DIR] VERB ...`: parse, call the library, print, exit (125 when minirun itself fails).</summary>
public static class Program
{
    /// <summary>Every verb; help, `minirun --help`'s groups and the completion scripts are generated from it.</summary>
    internal static readonly IVerb[] Verbs =
    [
        new RunVerb(), new PsVerb(), new LogsVerb(), new ExecVerb(), new StopVerb(), new KillVerb(), new StartVerb(), new WaitVerb(),
        new RmVerb(), new DiffVerb(), new CommitVerb(), new ExportVerb(), new ImagesVerb(), new RmiVerb(), new TagVerb(), new HistoryVerb(),
        new PullVerb(), new SaveVerb(), new InspectVerb(), new LoadVerb(), new ImportVerb(), new SystemVerb(), new VolumeVerb(), new CpVerb(), new RenameVerb(), new CreateVerb(), new TopVerb(), new PauseVerb(pause: true), new PauseVerb(pause: false), new AttachVerb(),
        new StatsVerb(), new PortVerb(), new LoginVerb(), new LogoutVerb(), new NetworkVerb(),
        new InfoVerb(), new VersionVerb(),
        new DoctorVerb(), new MountVerb(), new UmountVerb(), new LayersVerb(), new GenerateVerb(),
        new HelpVerb(AllVerbs), new CompletionVerb(AllVerbs),
    ];

    /// <summary>`minirun image ls`, `minirun container rm`: Docker's management commands over the verbs above; made on
    /// first use, never on the way to a top-level verb such as `run`.</summary>
    private static IReadOnlyList<ManagementCommand> Groups => field ??= ManagementCommand.Over(Verbs);

    // The verbs and the management commands, for help and completion: read when they run, after both lists are made.
    internal static IReadOnlyList<IVerb> AllVerbs() => [.. Verbs, .. Groups];

    public static int Main(string[] args)
    {
        // The in-container init stage: this binary re-executed inside the new namespaces (see SandboxLauncher).
        // Each stage guards itself first (StageGuard): not dumpable, killed with its parent; it exits if that is gone.
        if (args.Length is 1 or 2 && args[0] == InitStage.Verb)
            return StageGuard.Begin("minirun-init") ? InitStage.Run(explain: args is [_, InitStage.ExplainArgument]) : ExitCodes.RuntimeError;
        // `exec`'s stage, spawned inside a running container's namespaces (see ExecLauncher).
        if (args.Length == 1 && args[0] == ExecStage.Verb) return StageGuard.Begin("minirun-exec") ? ExecStage.Run() : ExitCodes.RuntimeError;
        // A detached container's supervisor (see ContainerSupervisor): store root and container ID (and start -a's mark).
        // A rootless store's pause process (see RootlessPause): keeps the user's namespaces for every later command.
        if (args is [RootlessPause.Verb]) return RootlessPause.Run(LinuxSyscalls.Instance);
        if (args.Length is 3 or 4 && args[0] == ContainerSupervisor.Verb)
            return ContainerSupervisor.Run(args[1], args[2], attachFirst: args is [.., ContainerSupervisor.AttachFirst]);

        // MiniRun as an OCI runtime: runc's command line, as `minirun runtime …` or through the minirun-runtime link.
        if (Path.GetFileName(Environment.GetCommandLineArgs()[0]) == RuntimeCommandLine.LinkName) return RuntimeCommandLine.Run(args);
        if (args.Length > 0 && args[0] == "runtime") return RuntimeCommandLine.Run(args[1..]);

        SignalDisposition.UnignoreInterruptAndTerminate();
        try
        {
            return Dispatch(args);
        }
        catch (Exception e) when (UserMessages.IsUserFacing(e))
        {
            ErrorPrinter.Print(e);
            return e is UsageException usage ? usage.ExitStatus : ExitCodes.RuntimeError;
        }
    }

    private static int Dispatch(string[] args)
    {
        string? root = null, driver = null;
        int i = 0;
        for (; i < args.Length && args[i].StartsWith('-'); i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help") return MainHelp();
            if (arg is "-v" or "--version")
            {
                Console.WriteLine($"minirun version {VersionVerb.Number}");
                return 0;
            }
            if (arg == "--root")
            {
                if (++i >= args.Length) throw new UsageException("flag needs an argument: --root");
                root = args[i];
            }
            else if (arg.StartsWith("--root=", StringComparison.Ordinal)) root = arg["--root=".Length..];
            else if (arg == "--storage-driver")
            {
                if (++i >= args.Length) throw new UsageException("flag needs an argument: --storage-driver");
                driver = StorageDriver.Check(args[i], "--storage-driver");
            }
            else if (arg.StartsWith("--storage-driver=", StringComparison.Ordinal)) driver = StorageDriver.Check(arg["--storage-driver=".Length..], "--storage-driver");
            else throw new UsageException($"unknown flag: {arg} (see 'minirun --help')");
        }
        if (i >= args.Length) return MainHelp();
        if (driver is null && Environment.GetEnvironmentVariable(StorageDriver.EnvironmentVariable) is { Length: > 0 } fromEnvironment)
            driver = StorageDriver.Check(fromEnvironment, "$" + StorageDriver.EnvironmentVariable);

        string name = args[i];
        string[] rest = args[(i + 1)..];
        // Loops, not LINQ: this is on the way to every container's start (see ArgumentParser).
        IVerb? found = null;
        foreach (IVerb candidate in Verbs)
            if (candidate.Name == name) { found = candidate; break; }
        if (found is null)
        {
            ManagementCommand group = Groups.FirstOrDefault(g => g.Name == name)
                ?? throw UsageException.Arguments($"'{name}' is not a minirun command (see 'minirun --help')");
            if (rest is [] or ["--help" or "-h", ..])
            {
                group.WriteHelp(Console.Out);
                return 0;
            }
            Subcommand sub = group.Find(rest[0]);
            return Run(sub.Verb, [.. sub.Prefix, .. rest[1..]], root, driver, args);
        }
        if (rest.Length == 0 && found.Group == VerbGroup.Management) // a subcommand is missing: its help, as `docker system`
        {
            HelpPrinter.PrintVerb(Console.Out, found, HelpPrinter.Width);
            return 0;
        }
        return Run(found, rest, root, driver, args);
    }

    /// <summary>
    /// Parses and runs one verb. A verb that touches the store or the kernel first needs root (one line, 125, instead of
    /// an EPERM deep inside); its failures exit with its <see cref="IVerb.FailureStatus"/> (1 as Docker's, run 125).
    /// Such a verb run by an ordinary user is minirun run again, all of <paramref name="all"/>, as root of the user's
    /// rootless user namespace (<see cref="RootlessLauncher"/>), with the user's own store.
    /// </summary>
    private static int Run(IVerb verb, string[] rest, string? root, string? driver, string[] all)
    {
        foreach (string arg in rest)
        {
            // -h too, unless the verb has a -h of its own (run's --hostname, as Docker's).
            if (arg == "--help" || (arg == "-h" && !HasShortH(verb)))
            {
                HelpPrinter.PrintVerb(Console.Out, verb, HelpPrinter.Width);
                return 0;
            }
            if (verb.StopAtFirstPositional && !arg.StartsWith('-')) break; // the command's own --help is its own
        }
        ParsedArguments parsed = ArgumentParser.Parse(verb.Name, rest, verb.Options, verb.StopAtFirstPositional);
        if (verb.NeedsRoot && !Syscalls.IsRoot)
        {
            string? given = root ?? Environment.GetEnvironmentVariable("MINIRUN_ROOT");
            string store = Path.GetFullPath(string.IsNullOrEmpty(given) ? RootlessLauncher.DefaultStoreRoot() : given);
            return RootlessLauncher.Run(LinuxSyscalls.Instance, store, all, ErrorPrinter.Print);
        }
        // An ordinary user's other verbs (doctor) look at the user's own store.
        bool defaultStore = root is null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MINIRUN_ROOT"));
        var context = new CliContext((!Syscalls.IsRoot && defaultStore ? new StorePaths(RootlessLauncher.DefaultStoreRoot()) : StorePaths.Resolve(root))
            with { RequestedDriver = driver });
        if (verb.NeedsRoot) context.Open();
        try
        {
            return verb.Execute(parsed, context);
        }
        catch (Exception e) when (UserMessages.IsUserFacing(e) && e is not UsageException)
        {
            ErrorPrinter.Print(e);
            return verb.FailureStatus;
        }
    }

    private static int MainHelp()
    {
        HelpPrinter.PrintMain(Console.Out, AllVerbs(), HelpPrinter.Width);
        return 0;
    }

    private static bool HasShortH(IVerb verb)
    {
        foreach (OptionSpec option in verb.Options)
            if (option.Short == 'h') return true;
        return false;
    }
}
