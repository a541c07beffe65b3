using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;

namespace MiniRun.Cli.Verbs;

/// <summary>`rename CONTAINER NEW_NAME`: running or not, as docker rename.</summary>
public sealed class RenameVerb : IVerb
{
    public string Name => "rename";
    public string Usage => "minirun rename CONTAINER NEW_NAME";
    public string Summary => "Rename a container (running or not)";
    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 2) throw UsageException.Arguments("\"minirun rename\" requires exactly 2 arguments: CONTAINER NEW_NAME (see 'minirun rename --help')");
        try
        {
            context.Containers.Rename(context.Containers.Resolve(args.Positionals[0]), args.Positionals[1]);
            return 0;
        }
        catch (MiniRunException e)
        {
            ErrorPrinter.Print(e); // docker rename's status
            return 1;
        }
    }
}
