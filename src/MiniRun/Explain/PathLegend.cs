using System.Text;
using System.Text.RegularExpressions;

namespace MiniRun.Explain;

/// <summary>
/// Shorthands that keep --explain and --dry-run readable: the store root, each 64-hex ID and the container's
/// directory become shell variables ($STORE, $ID, $L1, $C…), each defined (exported, so nested `bash` stages see it)
/// on the line before its first use, so the printed commands still run when pasted. Only words outside single quotes
/// are rewritten: inside them a variable would not expand.
/// </summary>
public sealed partial class PathLegend
{
    private readonly string? _storeRoot;
    private readonly List<(string Name, string Value, int Depth)> _defined = [];

    /// <param name="storeRoot">the store's directory, which becomes $STORE.</param>
    /// <param name="known">NAME=VALUE shorthands already defined by whoever runs us (the parent of the init stage).</param>
    public PathLegend(string? storeRoot, IEnumerable<string>? known = null)
    {
        _storeRoot = storeRoot is null || storeRoot == "/" ? null : storeRoot.TrimEnd('/');
        foreach (string pair in known ?? [])
            if (pair.IndexOf('=') is > 0 and int at) _defined.Add((pair[..at], pair[(at + 1)..], 0));
        _storeRoot ??= _defined.Find(d => d.Name == "STORE").Value;
    }

    /// <summary>The shorthands defined so far, as NAME=VALUE (what a nested narrator is given).</summary>
    public IReadOnlyList<string> Defined => _defined.Select(d => $"{d.Name}={d.Value}").ToList();

    /// <summary>
    /// <paramref name="text"/> with its long paths shortened; <paramref name="definitions"/> gets the `export NAME=VALUE`
    /// lines it needs first, each with what the name stands for.
    /// </summary>
    /// <param name="depth">how deep in nested shells the line is: a name defined deeper is gone once that shell ends.</param>
    public string Abbreviate(string text, int depth, List<(string Line, string What)> definitions)
    {
        var result = new StringBuilder();
        foreach ((string segment, bool quoted) in Segments(text))
            result.Append(quoted ? segment : Rewrite(segment, depth, definitions));
        return result.ToString();
    }

    /// <summary>A nested shell ended: what it defined is not defined below it.</summary>
    public void Leave(int depth) => _defined.RemoveAll(d => d.Depth > depth);

    private string Rewrite(string words, int depth, List<(string, string)> definitions)
    {
        if (_storeRoot is not null)
            words = Replace(new Regex(@"(?<![\w./-])" + Regex.Escape(_storeRoot) + @"(?=[/\s:,;)""]|$)"), words, m => Use("STORE", _storeRoot, "the store (--root)", depth, definitions));
        words = Replace(Hex(), words, m =>
        {
            bool layer = m.Index >= 7 && m.Result("$`")[(m.Index - 7)..] is "layers/" or "sha256:";
            return Use(layer ? "L" : "ID", m.Value, layer ? "a layer's ID (its diff ID)" : "the container's ID", depth, definitions, numbered: layer);
        });
        words = Replace(ContainerDirectory(), words, m => Use("C", m.Value, "the container's directory", depth, definitions));
        return Replace(NewContainerDirectory(), words, m => Use("T", m.Value, "the container's directory while it is made, until it is renamed into place", depth, definitions));
    }

    /// <summary>Each match replaced by the variable <paramref name="name"/> gives, braced when a word character follows.</summary>
    private static string Replace(Regex regex, string input, Func<Match, string> name) => regex.Replace(input, m =>
    {
        string variable = name(m);
        int next = m.Index + m.Length;
        return next < input.Length && (char.IsAsciiLetterOrDigit(input[next]) || input[next] == '_') ? "${" + variable + "}" : "$" + variable;
    });

    /// <summary>The variable's name for <paramref name="value"/>, defined now if it is not.</summary>
    private string Use(string name, string value, string what, int depth, List<(string, string)> definitions, bool numbered = false)
    {
        foreach ((string n, string v, int _) in _defined)
            if (v == value) return n;
        string chosen = name;
        for (int i = numbered ? 1 : 2; _defined.Exists(d => d.Name == chosen) || numbered && chosen == name; i++) chosen = name + i;
        _defined.Add((chosen, value, depth));
        definitions.Add(($"export {chosen}={value}", $"{chosen}: {what}"));
        return chosen;
    }

    /// <summary>The text cut where single quotes ($'…' too) begin and end; double quotes expand variables, so they count as unquoted.</summary>
    private static IEnumerable<(string Text, bool Quoted)> Segments(string text)
    {
        int start = 0, i = 0;
        bool inDouble = false;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\\' && !inDouble) { i += 2; continue; }
            if (c == '"') { inDouble = !inDouble; i++; continue; }
            if (c != '\'' || inDouble) { i++; continue; }
            bool ansi = i > 0 && text[i - 1] == '$';
            int end = i + 1;
            while (end < text.Length && text[end] != '\'') end += ansi && text[end] == '\\' ? 2 : 1;
            yield return (text[start..i], false);
            end = Math.Min(end + 1, text.Length);
            yield return (text[i..end], true);
            start = i = end;
        }
        if (start < text.Length) yield return (text[start..], false);
    }

    [GeneratedRegex("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")]
    private static partial Regex Hex();

    [GeneratedRegex(@"\$STORE/containers/\$ID\d*(?![\w])|\$STORE/tmp/dry-run-[0-9a-f]{12}(?![\w])")]
    private static partial Regex ContainerDirectory();

    [GeneratedRegex(@"\$STORE/tmp/container-[\w.-]+")]
    private static partial Regex NewContainerDirectory();
}
