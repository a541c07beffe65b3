using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Common;
using MiniRun.Containers;
using MiniRun.Native;
using MiniRun.Rootless;
using MiniRun.Store.Maintenance;
using MiniRun.Volumes;

namespace MiniRun.Cli.Verbs;

public sealed class SystemVerb : IVerb
{
    public string Name => "system";
    public string Usage => "minirun system df [-v] | prune [-a] [--volumes] [-f] | check [--repair] | info | migrate";
    public string Summary => "df: space used; prune: remove what is unused or left by a crash; check: verify the store (--repair fixes); " +
        "migrate: a rootless user's namespace made anew";
    public VerbGroup Group => VerbGroup.Management;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("verbose", 'v', "df: one line per image, container and volume, as docker system df -v"),
        OptionSpec.Flag("all", 'a', "prune: remove all unused images, not just dangling ones"),
        OptionSpec.Flag("volumes", null, "prune: also remove anonymous volumes no container uses"),
        OptionSpec.Flag("force", 'f', "prune: do not prompt for confirmation"),
        OptionSpec.Flag("repair", null, "check: fix what can be fixed (remove crash leftovers, stop abandoned containers)"),
        OptionSpec.Value("format", null, "TEMPLATE", "info: format output using a Go template ({{.Driver}}, {{json .}})"),
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("The space images, containers and volumes take", "minirun system df"),
        new("Remove what nothing uses, and what a crash left behind", "minirun system prune"),
        new("Verify the store, and fix what can be fixed", "minirun system check --repair"),
        new("As an ordinary user, after a change to /etc/subuid: stop the containers and the user namespace's pause process", "minirun system migrate"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        switch (args.Positionals.FirstOrDefault())
        {
            case "df":
                return args.GetBool("verbose", false) ? SystemDf.Verbose(context) : SystemDf.Summary(context);
            case "prune":
                return Prune(context, args.GetBool("all", false), args.GetBool("volumes", false), args.GetBool("force", false));
            case "check":
                return Check(context, args.Has("repair"));
            case "info":
                return InfoVerb.Print(context, args.Get("format"));
            case "migrate":
                return Migrate(context);
            case null:
                throw UsageException.Arguments("\"minirun system\" requires a subcommand: df, prune, check, info or migrate (see 'minirun system --help')");
            case string other:
                throw UsageException.Arguments($"'{other}' is not a 'minirun system' command: df, prune, check, info or migrate (see 'minirun system --help')");
        }
    }

    /// <summary>Docker's question first (unless -f), listing what will go; no answer or anything but y removes nothing.</summary>
    private static int Prune(CliContext context, bool allImages, bool volumes, bool force)
    {
        string warning = "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n"
            + (volumes ? "  - all anonymous volumes not used by at least one container\n" : "")
            + (allImages ? "  - all images without at least one container associated to them\n" : "  - all dangling images\n")
            + "  - all layers no image uses, and what a crash left behind (mounts, tmp/ work)\n";
        if (!Confirmation.Ask(warning, force)) return 0;
        var pruner = new StorePruner(context.Images, context.Containers);
        return PruneOutput.Write(context.Out, volumes ? pruner.Prune(new VolumeStore(context.Paths), allImages) : pruner.Prune(allImages));
    }

    /// <summary>
    /// Podman's `system migrate` for a rootless store: the running containers are stopped (they live in the user
    /// namespace), then the pause process that keeps it; the next command makes it again with the maps of today's
    /// /etc/subuid and /etc/subgid. Root's containers have no such namespace: nothing to do.
    /// </summary>
    private static int Migrate(CliContext context)
    {
        if (!RootlessMode.Active)
        {
            context.Out.WriteLine("nothing to migrate: root's containers are in no user namespace of minirun's (system migrate is for a rootless store)");
            return 0;
        }
        foreach (Container container in context.Containers.List().Where(context.Containers.IsRunning))
        {
            if (context.Containers.Signal(container, container.Record.StopSignalOrDefault())
                && !context.Containers.WaitUntilStopped(container, container.Record.StopTimeoutOrDefault(), throughRestarts: true))
                context.Containers.Kill(container, Signal.Kill);
            context.Out.WriteLine($"stopped {container.Name}");
        }
        if (RootlessPause.End(context.Paths.Root)) context.Out.WriteLine("the user namespace's pause process ended: the next command makes the namespace anew");
        return 0;
    }

    /// <summary>Exit 0 when the store is sound (or every finding was repaired), 1 when something is still wrong.</summary>
    private static int Check(CliContext context, bool repair)
    {
        StoreCheckReport report = new StoreChecker(context.Images, context.Containers, repair).Check();
        foreach (StoreFinding finding in report.Findings)
            context.Out.WriteLine(finding.Repair is null ? $"problem: {finding.Problem}" : $"{(finding.Repaired ? "repaired" : "problem")}: {finding.Problem}: {finding.Repair}");
        int open = report.Findings.Count(f => !f.Repaired);
        context.Out.WriteLine($"checked store format {report.Format}, {report.Layers} layers, {report.Images} images, {report.Containers} containers: " +
            (report.Findings.Count == 0 ? "ok" : $"{report.Findings.Count} problems, {report.Findings.Count - open} repaired"));
        return report.Healthy ? 0 : 1;
    }
}
