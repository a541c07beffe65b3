using System.Globalization;
using System.Text;

namespace MiniRun.Cli.Output;

/// <summary>
/// Docker's table layout for --format: Go's text/tabwriter as the CLI sets it up (minwidth 10, padding 3, spaces).
/// A cell ends at a tab; text after a line's last tab is not aligned. A column is as wide as its widest cell plus
/// three, and never narrower than ten.
/// </summary>
public static class TabColumns
{
    private const int MinWidth = 10, Padding = 3;

    public static string Align(string text)
    {
        bool finalNewline = text.EndsWith('\n');
        string[] lines = (finalNewline ? text[..^1] : text).Split('\n');
        var cells = lines.Select(l => l.Split('\t')).ToArray();
        int columns = cells.Max(c => c.Length) - 1;
        var widths = new int[Math.Max(0, columns)];
        foreach (string[] row in cells)
            for (int i = 0; i < row.Length - 1; i++)
                widths[i] = Math.Max(widths[i], Math.Max(MinWidth, Width(row[i]) + Padding));
        var output = new StringBuilder();
        foreach (string[] row in cells)
        {
            for (int i = 0; i < row.Length - 1; i++) output.Append(row[i]).Append(' ', widths[i] - Width(row[i]));
            output.Append(row[^1]).Append('\n');
        }
        if (!finalNewline) output.Length--;
        return output.ToString();
    }

    /// <summary>Width in characters (tabwriter counts runes, not bytes).</summary>
    private static int Width(string cell) => new StringInfo(cell).LengthInTextElements;
}
