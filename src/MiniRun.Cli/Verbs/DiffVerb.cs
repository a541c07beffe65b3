using MiniRun.Cli.CommandLine;
using MiniRun.Containers;

namespace MiniRun.Cli.Verbs;

public sealed class DiffVerb : IVerb
{
    public string Name => "diff";
    public string Usage => "minirun diff CONTAINER";
    public string Summary => "Show the files a container changed (A added, C changed, D deleted), read from its upper dir";

    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 1) throw UsageException.Arguments("\"minirun diff\" requires exactly 1 argument (see 'minirun diff --help')");
        Container container = context.Containers.Resolve(args.Positionals[0]);
        List<string> lower = context.Snapshotter.LowerDirs(container).Select(d => Path.GetFullPath(d, context.Paths.Root)).ToList();
        foreach (ContainerChange change in ContainerChanges.Read(container.UpperDir, lower)) context.Out.WriteLine(change);
        return 0;
    }
}
