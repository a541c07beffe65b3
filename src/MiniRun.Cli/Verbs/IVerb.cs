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
    /// <summary>The exit status when the verb fails (its flags parsed): Docker's CLI exits 1 when the engine refuses
    /// (no such container, not running, a conflict); `run` exits 125, and so do MiniRun's own verbs, as podman's.</summary>
    int FailureStatus => 1;
    /// <summary>False for a verb that touches neither the store nor the kernel (version): any user may run it.</summary>
    bool NeedsRoot => true;
    int Execute(ParsedArguments args, CliContext context);
}
