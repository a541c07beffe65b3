namespace MiniRun.Cli.CommandLine;

/// <summary>What a verb's positional argument is, for shell completion.</summary>
public enum OperandKind
{
    /// <summary>Anything (a file, a new name, the container's command): the shell's own file completion.</summary>
    Any,
    Container,
    Image,
    ContainerOrImage,
    /// <summary>One of fixed words: a subcommand (system df|prune|check) or a choice (bash|zsh).</summary>
    Words,
    /// <summary>A minirun verb (help VERB).</summary>
    Verb,
}

/// <summary>One positional argument of a verb; the last one may repeat (CONTAINER [CONTAINER...]).</summary>
public sealed record Operand(OperandKind Kind, IReadOnlyList<string> Words, bool Repeats)
{
    public static Operand Of(OperandKind kind, bool repeats = false) => new(kind, [], repeats);
}
