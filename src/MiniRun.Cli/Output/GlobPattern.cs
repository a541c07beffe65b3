using System.Text;
using System.Text.RegularExpressions;

namespace MiniRun.Cli.Output;

/// <summary>
/// A shell pattern as Go's path.Match reads it (Docker's reference= filter): `*` and `?` never match '/',
/// `[a-z]` and `[^a-z]` are classes, `\` escapes. A malformed one is refused with Go's "syntax error in pattern".
/// </summary>
public sealed class GlobPattern
{
    private readonly Regex _regex;

    private GlobPattern(Regex regex) => _regex = regex;

    public bool Matches(string text) => _regex.IsMatch(text);

    public static GlobPattern Parse(string pattern)
    {
        var regex = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '*': regex.Append("[^/]*"); break;
                case '?': regex.Append("[^/]"); break;
                case '\\':
                    if (++i == pattern.Length) throw BadPattern();
                    regex.Append(Regex.Escape(pattern[i].ToString()));
                    break;
                case '[': i = AppendClass(pattern, i, regex); break;
                default: regex.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return new GlobPattern(new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline));
    }

    /// <summary>Appends the class that opens at <paramref name="open"/>; returns the index of its ']'.</summary>
    private static int AppendClass(string pattern, int open, StringBuilder regex)
    {
        int i = open + 1;
        regex.Append('[');
        if (i < pattern.Length && pattern[i] == '^') { regex.Append('^'); i++; }
        int ranges = 0;
        while (true)
        {
            if (i >= pattern.Length) throw BadPattern();
            if (pattern[i] == ']' && ranges > 0) break;
            char low = ClassChar(pattern, ref i);
            if (i < pattern.Length && pattern[i] == '-')
            {
                i++;
                char high = ClassChar(pattern, ref i);
                if (high < low) throw BadPattern();
                regex.Append(Escape(low)).Append('-').Append(Escape(high));
            }
            else regex.Append(Escape(low));
            ranges++;
        }
        regex.Append(']');
        return i;
    }

    private static char ClassChar(string pattern, ref int i)
    {
        if (i >= pattern.Length || pattern[i] is '-' or ']') throw BadPattern();
        if (pattern[i] == '\\' && ++i >= pattern.Length) throw BadPattern();
        return pattern[i++];
    }

    private static string Escape(char c) => c is '\\' or ']' or '[' or '^' or '-' ? "\\" + c : c.ToString();

    private static FilterException BadPattern() => new("syntax error in pattern");
}
