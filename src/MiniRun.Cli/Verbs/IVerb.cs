using MiniRun.Cli.CommandLine;

namespace MiniRun.Cli.Verbs;

/// <summary>One `minirun VERB`: its grammar and a thin call into the library.</summary>
/// <remarks>Help (`minirun VERB --help`) and shell completion (`minirun completion`) are generated from these members.</remarks>
public interface IVerb
{
    string Name { get; }
    /// <summary>"minirun VERB [OPTIONS] OPERANDS": its operands (CONTAINER, IMAGE, a|b words) also drive completion.</summary>
    string Usage { get; }
    string Summary { get; }
    IReadOnlyList<OptionSpec> Options { get; }
    /// <summary>True when the first positional starts the command (run IMAGE CMD...).</summary>
    bool StopAtFirstPositional => false;
    /// <summary>The heading `minirun --help` lists it under.</summary>
    VerbGroup Group => VerbGroup.Other;
    /// <summary>The "Examples:" of `minirun VERB --help`.</summary>
    IReadOnlyList<VerbExample> Examples => [];
    /// <summary>Its positional arguments, for completion: read from <see cref="Usage"/> unless a verb says otherwise.</summary>
    IReadOnlyList<Operand> Operands => UsageOperands.Parse(Usage);
    /// <summary>The exit status when the verb fails (its flags parsed): Docker's CLI exits 1 when the engine refuses
    /// (no such container, not running, a conflict); `run` exits 125, and so do MiniRun's own verbs, as podman's.</summary>
    int FailureStatus => 1;
    /// <summary>False for a verb that touches neither the store nor the kernel (version): any user may run it.</summary>
    bool NeedsRoot => true;
    int Execute(ParsedArguments args, CliContext context);
}
