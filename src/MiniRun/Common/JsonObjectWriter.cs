using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace MiniRun.Common;

/// <summary>
/// One JSON object written member by member, for the files and messages on the way to a start (config.json,
/// state.json, the init spec), where no serializer context is made. The escaping is the default one (Basic Latin as
/// is, everything else \uXXXX) from an encoder of our own: with none, a writer asks JavaScriptEncoder.Default, whose
/// type's static constructor also builds the all-of-Unicode encoder (0.1 ms of a run).
/// </summary>
internal static class JsonObjectWriter
{
    private static readonly JavaScriptEncoder BasicLatin = JavaScriptEncoder.Create(UnicodeRanges.BasicLatin);

    /// <summary>{ what <paramref name="members"/> writes }, as UTF-8.</summary>
    public static byte[] Write(bool indented, Action<Utf8JsonWriter> members)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = BasicLatin, Indented = indented }))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A member that is an array of strings.</summary>
    public static void Strings(Utf8JsonWriter json, string name, List<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }
}
