using System.Text.Json;

namespace MiniRun.Cli.Output;

/// <summary>A list verb's row as the JSON document templates run over: text fields (or null) in key order.</summary>
public static class RowDocument
{
    public static JsonElement Of(SortedDictionary<string, string?> fields) => JsonDocumentWriter.Build(writer =>
    {
        foreach (var (key, value) in fields)
            if (value is null) writer.WriteNull(key);
            else writer.WriteString(key, value);
    });

    /// <summary>Column names keyed by field, for a `table` format's header row.</summary>
    public static JsonElement Headers(params (string Field, string Header)[] columns) =>
        Of(new SortedDictionary<string, string?>(columns.ToDictionary(c => c.Field, c => (string?)c.Header), StringComparer.Ordinal));
}
