using System.Text;
using System.Text.Json;
using MiniRun.Cli.Output.Templates;

namespace MiniRun.Cli.Output;

/// <summary>
/// A list verb's --format as Docker's CLI reads it: `table TEMPLATE` (a header row from the column names, aligned
/// columns), `json` (one object per line), or a bare template (one line per row); `\t` and `\n` written as two
/// characters become a tab and a newline.
/// </summary>
public sealed class RowFormat
{
    private readonly GoTemplate _template;

    private RowFormat(GoTemplate template, bool table) => (_template, IsTable) = (template, table);

    public bool IsTable { get; }

    /// <summary>Reads FORMAT; `table` alone (or an empty format) means the verb's default table.</summary>
    public static RowFormat Parse(string? format, string defaultTable, string rowType)
    {
        string text = string.IsNullOrEmpty(format) || format == "table" ? "table " + defaultTable : format;
        if (text == "json") text = "{{json .}}";
        bool table = text.StartsWith("table ", StringComparison.Ordinal);
        if (table) text = text["table ".Length..];
        text = text.Replace("\\t", "\t").Replace("\\n", "\n");
        return new RowFormat(GoTemplate.Parse(text, rowType), table);
    }

    /// <summary>The whole output: every row through the template, a header first for a table, then aligned.</summary>
    public string Render(IEnumerable<JsonElement> rows, JsonElement headers)
    {
        var output = new StringBuilder();
        if (IsTable) output.Append(_template.Execute(headers)).Append('\n');
        foreach (JsonElement row in rows) output.Append(_template.Execute(row)).Append('\n');
        return IsTable ? TabColumns.Align(output.ToString()) : output.ToString();
    }
}
