namespace MiniRun.Cli.CommandLine;

/// <summary>One entry of a verb's "Examples:": what it does, then the command line (shell words, as typed).</summary>
public sealed record VerbExample(string Description, string CommandLine);
