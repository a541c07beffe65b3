using MiniRun.Cli.CommandLine;

namespace MiniRun.Cli.Output;

/// <summary>
/// The --filter flags of a list verb, as Docker's filters.Args holds them: KEY=VALUE, the key lower-cased and both
/// sides trimmed (filters.ParseFlag), values grouped by key in the order given. An empty flag is ignored.
/// </summary>
public sealed class FilterArguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly List<string> _keys = [];

    public static FilterArguments Parse(IEnumerable<string> flags, string verb)
    {
        var filters = new FilterArguments();
        foreach (string flag in flags)
        {
            if (flag.Length == 0) continue;
            int equals = flag.IndexOf('=');
            if (equals < 0) throw new UsageException($"invalid argument \"{flag}\" for \"-f, --filter\" flag: bad format of filter (expected name=value) (see 'minirun {verb} --help')");
            string key = flag[..equals].Trim().ToLowerInvariant();
            if (!filters._values.TryGetValue(key, out List<string>? values))
            {
                filters._values[key] = values = [];
                filters._keys.Add(key);
            }
            values.Add(flag[(equals + 1)..].Trim());
        }
        return filters;
    }

    /// <summary>Docker's filters.Validate: a key the listing does not know is refused with `invalid filter 'KEY'`.</summary>
    public void Validate(IReadOnlySet<string> accepted)
    {
        foreach (string key in _keys)
            if (!accepted.Contains(key)) throw new FilterException($"invalid filter '{key}'");
    }

    public bool Contains(string key) => _values.ContainsKey(key);

    /// <summary>The values given for KEY, first given first; empty when the key was not given.</summary>
    public IReadOnlyList<string> Get(string key) => _values.TryGetValue(key, out List<string>? values) ? values : [];

    /// <summary>Docker's rejection of one value: `invalid filter 'KEY=VALUE'`.</summary>
    public static FilterException Invalid(string key, string value) => new($"invalid filter '{key}={value}'");
}
