namespace MiniRun.Cli.Output;

/// <summary>Docker's plain tables: columns padded to the widest cell plus three spaces.</summary>
public sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void WriteTo(TextWriter writer)
    {
        int[] widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        foreach (string[] row in _rows.Prepend(headers))
            writer.WriteLine(string.Join("", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i] + 3))).TrimEnd());
    }
}
