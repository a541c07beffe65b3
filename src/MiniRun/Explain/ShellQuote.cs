using System.Text;

namespace MiniRun.Explain;

/// <summary>
/// POSIX shell quoting (sh(1p) "Quoting"): words of safe characters stay bare, others go in single quotes; a word
/// with control characters (a file's newlines) goes in bash's $'…' instead, so each printed command stays on one line.
/// </summary>
public static class ShellQuote
{
    public static string Quote(string word)
    {
        if (word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=:,+@%".Contains(c))) return word;
        if (word.Any(char.IsControl)) return AnsiC(word);
        return "'" + word.Replace("'", "'\\''") + "'";
    }

    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));

    private static string AnsiC(string word)
    {
        var quoted = new StringBuilder("$'");
        foreach (char c in word)
            quoted.Append(c switch
            {
                '\n' => "\\n",
                '\t' => "\\t",
                '\\' => "\\\\",
                '\'' => "\\'",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        return quoted.Append('\'').ToString();
    }
}
