using System.Text.Json;

namespace MiniRun.Cli.Output;

/// <summary>A list verb's row as the JSON document templates run over: text fields (or null) in key order.</summary>
public static class RowDocument
{
    public static JsonElement Of(SortedDictionary<string, string?> fields)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in fields)
                if (value is null) writer.WriteNull(key);
                else writer.WriteString(key, value);
            writer.WriteEndObject();
        }
        using JsonDocument document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    /// <summary>Column names keyed by field, for a `table` format's header row.</summary>
    public static JsonElement Headers(params (string Field, string Header)[] columns) =>
        Of(new SortedDictionary<string, string?>(columns.ToDictionary(c => c.Field, c => (string?)c.Header), StringComparer.Ordinal));
}
