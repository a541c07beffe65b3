using MiniRun.Cli.CommandLine;
using MiniRun.Containers;

namespace MiniRun.Cli.Verbs;

public sealed class DiffVerb : IVerb
{
    public string Name => "diff";
    public string Usage => "minirun diff CONTAINER";
    public string Summary => "Show the files a container changed (A added, C changed, D deleted), read from its upper dir (or its tree, on vfs)";

    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 1) throw UsageException.Arguments("\"minirun diff\" requires exactly 1 argument (see 'minirun diff --help')");
        Container container = context.Containers.Resolve(args.Positionals[0]);
        foreach (ContainerChange change in context.Snapshotter.Changes(container)) context.Out.WriteLine(change);
        return 0;
    }
}
