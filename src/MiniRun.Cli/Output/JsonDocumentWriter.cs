using System.Text.Json;

namespace MiniRun.Cli.Output;

/// <summary>A JSON document built field by field (for --format templates over data that has no record type, as `info`'s).</summary>
public static class JsonDocumentWriter
{
    public static JsonElement Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        using JsonDocument document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }
}
