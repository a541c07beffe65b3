namespace MiniRun.Cli.Help;

/// <summary>
/// Two columns of help (a name or flag, then its text), Docker's layout: the texts start at one column, wrapped at
/// the width with their continuation lines under it; a left cell too wide for that column gets a line of its own.
/// </summary>
public static class TextColumns
{
    private const int Indent = 2;
    private const int Gap = 3;
    /// <summary>Narrower than this, a text column is worse than putting the long cells on lines of their own.</summary>
    private const int MinTextWidth = 30;

    public static void Write(TextWriter output, IReadOnlyList<(string Left, string Text)> rows, int width, int minLeftWidth = 0)
    {
        int left = minLeftWidth;
        foreach ((string cell, _) in rows) left = Math.Max(left, cell.Length);
        left = Math.Min(left, Math.Max(minLeftWidth, width - Indent - Gap - MinTextWidth));
        int textColumn = Indent + left + Gap;
        int textWidth = Math.Max(MinTextWidth, width - textColumn);
        string pad = new(' ', textColumn);
        foreach ((string cell, string text) in rows)
        {
            List<string> lines = Wrap(text, textWidth);
            if (cell.Length > left)
            {
                output.WriteLine(new string(' ', Indent) + cell);
                foreach (string line in lines) output.WriteLine(pad + line);
                continue;
            }
            output.WriteLine((new string(' ', Indent) + cell).PadRight(textColumn) + (lines.Count > 0 ? lines[0] : "").TrimEnd());
            for (int i = 1; i < lines.Count; i++) output.WriteLine(pad + lines[i]);
        }
    }

    /// <summary>Words into lines of at most <paramref name="width"/> characters; a longer word gets a line to itself.</summary>
    public static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new System.Text.StringBuilder();
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) lines.Add(line.ToString());
        return lines;
    }
}
