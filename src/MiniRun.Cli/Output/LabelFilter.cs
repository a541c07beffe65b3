namespace MiniRun.Cli.Output;

/// <summary>
/// label=KEY and label=KEY=VALUE, as Docker's filters.MatchKVList reads them: every one given must hold (AND, unlike
/// other keys), and something without labels matches none.
/// </summary>
public sealed class LabelFilter
{
    private readonly List<(string Key, string? Value)> _wanted;

    public LabelFilter(IEnumerable<string> values) =>
        _wanted = values.Select(v => v.Split('=', 2) is [string key, string value] ? (key, (string?)value) : (v, null)).ToList();

    public bool IsEmpty => _wanted.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        if (_wanted.Count == 0) return true;
        if (labels is null || labels.Count == 0) return false;
        foreach (var (key, value) in _wanted)
            if (!labels.TryGetValue(key, out string? actual) || (value is not null && value != actual)) return false;
        return true;
    }
}
