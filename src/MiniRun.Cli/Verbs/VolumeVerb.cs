using System.Text.Json;
using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Store.Maintenance;
using MiniRun.Volumes;

namespace MiniRun.Cli.Verbs;

/// <summary>`volume create|ls|inspect|rm|prune`: the store's volumes, with Docker's output.</summary>
public sealed class VolumeVerb : IVerb
{
    public string Name => "volume";
    public string Usage => "minirun volume create [NAME] | ls [-q] | inspect NAME... | rm [-f] NAME... | prune [-a] [-f]";
    public string Summary => "Manage volumes: directories of the store that containers mount (-v NAME:/path), kept when they go";
    public VerbGroup Group => VerbGroup.Management;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("quiet", 'q', "ls: only the names"),
        OptionSpec.Flag("force", 'f', "rm: no error for a missing volume; prune: do not prompt for confirmation"),
        OptionSpec.Flag("all", 'a', "prune: named volumes too, not only anonymous ones"),
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("Make a named volume (minirun run -v data:/srv mounts it)", "minirun volume create data"),
        new("List the volumes", "minirun volume ls"),
        new("Remove the volumes no container mounts, named ones too", "minirun volume prune -a"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        var volumes = new VolumeStore(context.Paths);
        string[] names = args.Positionals.Skip(1).ToArray();
        switch (args.Positionals.FirstOrDefault())
        {
            case "create":
                if (names.Length > 1) throw UsageException.Arguments("\"minirun volume create\" takes at most 1 argument: NAME");
                context.Out.WriteLine(volumes.Ensure(names.Length == 1 ? names[0] : VolumeStore.NewAnonymousName()).Volume.Name);
                return 0;
            case "ls":
                if (args.Has("quiet"))
                    foreach (VolumeRecord volume in volumes.List()) context.Out.WriteLine(volume.Name);
                else
                {
                    var table = new Table("DRIVER", "VOLUME NAME");
                    foreach (VolumeRecord volume in volumes.List()) table.Add("local", volume.Name);
                    table.WriteTo(context.Out);
                }
                return 0;
            case "inspect":
                if (names.Length == 0) throw UsageException.Arguments("\"minirun volume inspect\" requires at least 1 argument: NAME");
                List<VolumeInspect> documents = names.Select(volumes.Resolve).Select(v => new VolumeInspect
                {
                    CreatedAt = v.CreatedAt, Mountpoint = v.Mountpoint, Name = v.Name,
                }).ToList();
                context.Out.WriteLine(JsonSerializer.Serialize(documents, CliJsonContext.Default.ListVolumeInspect));
                return 0;
            case "rm":
                if (names.Length == 0) throw UsageException.Arguments("\"minirun volume rm\" requires at least 1 argument: NAME");
                return Remove(context, volumes, names, args.Has("force"));
            case "prune":
                return Prune(context, volumes, args.GetBool("all", false), args.GetBool("force", false));
            default:
                throw UsageException.Arguments("\"minirun volume\" requires a subcommand: create, ls, inspect, rm or prune (see 'minirun volume --help')");
        }
    }

    /// <summary>As docker volume rm: each one in turn, a volume a container mounts refused with that container's ID.</summary>
    private static int Remove(CliContext context, VolumeStore volumes, string[] names, bool force)
    {
        int status = 0;
        foreach (string name in names)
        {
            try
            {
                if (volumes.Get(name) is null)
                {
                    if (force) continue;
                    throw new MiniRunException($"get {name}: no such volume");
                }
                List<string> users = context.Containers.List().Where(c => c.Record.Mounts.Any(m => m.Type == Containers.ContainerMount.Volume && m.Name == name)).Select(c => c.Id).ToList();
                if (users.Count > 0) throw new MiniRunException($"remove {name}: volume is in use - [{string.Join(", ", users)}]");
                volumes.Remove(name);
                context.Out.WriteLine(name);
            }
            catch (MiniRunException e)
            {
                ErrorPrinter.Print(e);
                status = 1;
            }
        }
        return status;
    }

    /// <summary>docker volume prune: the volumes no container mounts, anonymous ones only unless -a; Docker's question first unless -f.</summary>
    private static int Prune(CliContext context, VolumeStore volumes, bool all, bool force)
    {
        string warning = $"WARNING! This will remove {(all ? "all" : "anonymous")} local volumes not used by at least one container.";
        if (!Confirmation.Ask(warning, force)) return 0;
        return PruneOutput.Write(context.Out, new StorePruner(context.Images, context.Containers).PruneVolumes(volumes, all));
    }
}
