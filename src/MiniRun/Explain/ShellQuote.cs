namespace MiniRun.Explain;

/// <summary>POSIX shell quoting (sh(1p) "Quoting"): words of safe characters stay bare, others go in single quotes.</summary>
public static class ShellQuote
{
    public static string Quote(string word)
    {
        if (word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=:,+@%".Contains(c))) return word;
        return "'" + word.Replace("'", "'\\''") + "'";
    }

    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
