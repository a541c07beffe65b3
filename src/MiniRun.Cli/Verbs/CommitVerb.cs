using MiniRun.Cli.CommandLine;
using MiniRun.Containers;
using MiniRun.Images;

namespace MiniRun.Cli.Verbs;

public sealed class CommitVerb : IVerb
{
    public string Name => "commit";
    public string Usage => "minirun commit [-m MESSAGE] CONTAINER [NAME[:TAG]]";
    public string Summary => "Create a new image from a container's changes (its upper dir becomes a layer)";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("message", 'm', "MESSAGE", "Commit message (the history entry's comment)"),
        OptionSpec.Flag("pause", 'p', "Pause a running container while its changes are read (default true; -p=false to not)"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count is < 1 or > 2) throw UsageException.Arguments("\"minirun commit\" requires 1 or 2 arguments (see 'minirun commit --help')");
        Container container = context.Containers.Resolve(args.Positionals[0]);
        ImageRecord image = new ContainerCommitter(context.Images, context.Containers)
            .Commit(container, args.Positionals.ElementAtOrDefault(1), args.Get("message"), args.GetBool("pause", defaultValue: true));
        context.Out.WriteLine(image.Id);
        return 0;
    }
}
