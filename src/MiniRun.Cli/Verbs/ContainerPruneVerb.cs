using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Store.Maintenance;

namespace MiniRun.Cli.Verbs;

/// <summary>`container prune`: every stopped container, after Docker's question unless -f.</summary>
public sealed class ContainerPruneVerb : IVerb
{
    public string Name => "container prune";
    public string Usage => "minirun container prune [-f]";
    public string Summary => "Remove all stopped containers";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("force", 'f', "Do not prompt for confirmation"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count > 0) throw UsageException.Arguments("\"minirun container prune\" accepts no arguments (see 'minirun container prune --help')");
        if (!Confirmation.Ask("WARNING! This will remove all stopped containers.", args.Has("force"))) return 0;
        return PruneOutput.Write(context.Out, new StorePruner(context.Images, context.Containers).PruneContainers());
    }
}
