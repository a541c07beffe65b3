using MiniRun.Cli.CommandLine;

namespace MiniRun.Cli.Verbs;

/// <summary>One `minirun VERB`: its grammar and a thin call into the library.</summary>
public interface IVerb
{
    string Name { get; }
    string Usage { get; }
    string Summary { get; }
    IReadOnlyList<OptionSpec> Options { get; }
    /// <summary>True when the first positional starts the command (run IMAGE CMD...).</summary>
    bool StopAtFirstPositional => false;
    int Execute(ParsedArguments args, CliContext context);
}
