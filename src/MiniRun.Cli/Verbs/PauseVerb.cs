using MiniRun.Cli.CommandLine;
using MiniRun.Containers;

namespace MiniRun.Cli.Verbs;

/// <summary>`pause` and `unpause`: every process of a container frozen and thawed (cgroup freezer), as docker's.</summary>
public sealed class PauseVerb(bool pause) : IVerb
{
    public string Name => pause ? "pause" : "unpause";
    public string Usage => $"minirun {Name} CONTAINER [CONTAINER...]";
    public string Summary => pause ? "Freeze every process of one or more containers (cgroup freezer)" : "Thaw the processes of paused containers";
    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count == 0) throw UsageException.Arguments($"\"minirun {Name}\" requires at least 1 argument (see 'minirun {Name} --help')");
        return EachContainer.Run(args.Positionals, context, container =>
        {
            if (pause) context.Containers.Pause(container);
            else context.Containers.Unpause(container);
        });
    }
}
