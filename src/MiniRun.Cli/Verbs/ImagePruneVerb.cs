using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Store.Maintenance;

namespace MiniRun.Cli.Verbs;

/// <summary>`image prune`: dangling images (with -a every image no container uses) and unused layers, after Docker's question unless -f.</summary>
public sealed class ImagePruneVerb : IVerb
{
    public string Name => "image prune";
    public string Usage => "minirun image prune [-a] [-f]";
    public string Summary => "Remove unused images";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("all", 'a', "Remove all unused images, not just dangling ones"),
        OptionSpec.Flag("force", 'f', "Do not prompt for confirmation"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count > 0) throw UsageException.Arguments("\"minirun image prune\" accepts no arguments (see 'minirun image prune --help')");
        bool all = args.GetBool("all", false);
        string warning = all ? "WARNING! This will remove all images without at least one container associated to them."
            : "WARNING! This will remove all dangling images.";
        if (!Confirmation.Ask(warning, args.Has("force"))) return 0;
        return PruneOutput.Write(context.Out, new StorePruner(context.Images, context.Containers).PruneImages(all));
    }
}
