namespace MiniRun.Cli.CommandLine;

/// <summary>What the parser found: option values by long name (repeatable) and the positional arguments.</summary>
public sealed class ParsedArguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = [];

    internal void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out List<string>? list)) _values[name] = list = [];
        list.Add(value);
    }

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The last value given (Docker: a repeated single-value flag takes the last).</summary>
    public string? Get(string name) => _values.TryGetValue(name, out List<string>? list) ? list[^1] : null;

    /// <summary>A boolean flag: absent gives <paramref name="defaultValue"/>; "--flag" is true, "--flag=false" false (Go's strconv.ParseBool words).</summary>
    public bool GetBool(string name, bool defaultValue) => Get(name) switch
    {
        null => defaultValue,
        "true" or "1" or "t" or "T" or "TRUE" or "True" => true,
        "false" or "0" or "f" or "F" or "FALSE" or "False" => false,
        string other => throw new UsageException($"invalid argument \"{other}\" for --{name}: a boolean is true or false"),
    };

    public IReadOnlyList<string> GetAll(string name) => _values.TryGetValue(name, out List<string>? list) ? list : [];
}
