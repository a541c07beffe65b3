using MiniRun.Cli.CommandLine;

namespace MiniRun.Cli.Verbs;

/// <summary>`create`: `run`'s container, made but not started (its ID printed); `start` runs it, as docker create.</summary>
public sealed class CreateVerb : IVerb
{
    private static readonly string[] RunOnly = ["detach", "explain", "dry-run"];
    private readonly RunVerb _run = new();

    public string Name => "create";
    public string Usage => "minirun create [OPTIONS] IMAGE [COMMAND] [ARG...]";
    public string Summary => "Create a new container from an image without starting it (then: minirun start)";
    public bool StopAtFirstPositional => true;

    public IReadOnlyList<OptionSpec> Options => _run.Options.Where(o => !RunOnly.Contains(o.Long)).ToList();

    public int Execute(ParsedArguments args, CliContext context) => _run.Execute(args, context, createOnly: true);
}
