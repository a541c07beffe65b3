namespace MiniRun.Cli.CommandLine;

/// <summary>One flag of a verb, Docker-style: a long name, an optional one-letter name, and whether it takes a value.</summary>
public sealed record OptionSpec(string Long, char? Short, bool TakesValue, string Help, string? ValueName = null)
{
    public static OptionSpec Flag(string name, char? shortName, string help) => new(name, shortName, false, help);
    public static OptionSpec Value(string name, char? shortName, string valueName, string help) => new(name, shortName, true, help, valueName);

    public string Usage => (Short is { } s ? $"-{s}, " : "    ") + $"--{Long}" + (TakesValue ? $" {ValueName}" : "");
}
