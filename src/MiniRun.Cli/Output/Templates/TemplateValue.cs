using System.Text.Encodings.Web;
using System.Text.Json;

namespace MiniRun.Cli.Output.Templates;

/// <summary>
/// A value while a template runs: a node of the JSON document, a string a function made, or Go's "no value"
/// (a missing map key). IsMap tells a JSON object that is a Go map (Labels) from one that is a struct (State):
/// they print differently (`map[a:b]` against `{running true …}`) and only a map may lack a key.
/// </summary>
public readonly record struct TemplateValue(JsonElement Element, bool IsMap, string? Text, bool NoValue)
{
    public static readonly TemplateValue Missing = new(default, false, null, true);

    public static TemplateValue Of(string text) => new(default, false, text, false);

    public static TemplateValue Of(JsonElement element, bool isMap = false) => new(element, isMap, null, false);

    public bool IsJson => Text is null && !NoValue;

    /// <summary>A list verb's whole row: the CLI marshals it with json.Marshal, which escapes &lt;, &gt; and &amp; (`{{json .}}`, `--format json`).</summary>
    public bool IsRow { get; init; }

    /// <summary>Go's fmt `%v`, which `{{.X}}` prints.</summary>
    public override string ToString() => NoValue ? "<no value>" : Text ?? Format(Element, IsMap);

    private static string Format(JsonElement element, bool isMap) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null or JsonValueKind.Undefined => "<nil>",
        JsonValueKind.Array => "[" + string.Join(' ', element.EnumerateArray().Select(e => Format(e, false))) + "]",
        JsonValueKind.Object when isMap => "map[" + string.Join(' ', Sorted(element).Select(p => p.Name + ":" + Format(p.Value, false))) + "]",
        JsonValueKind.Object => "{" + string.Join(' ', element.EnumerateObject().Select(p => Format(p.Value, TemplateMaps.IsMap(p.Name)))) + "}",
        _ => element.GetRawText(),
    };

    /// <summary>Go ranges over a map in key order.</summary>
    public static IEnumerable<JsonProperty> Sorted(JsonElement map) => map.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal);

    /// <summary>Go's truth: false, 0, nil, and empty strings, lists and maps are false; a struct is true.</summary>
    public bool IsTrue => NoValue ? false : Text is { } text ? text.Length > 0 : Element.ValueKind switch
    {
        JsonValueKind.False or JsonValueKind.Null or JsonValueKind.Undefined => false,
        JsonValueKind.String => Element.GetString()!.Length > 0,
        JsonValueKind.Number => Element.GetDouble() != 0,
        JsonValueKind.Array => Element.GetArrayLength() > 0,
        JsonValueKind.Object => !IsMap || Element.EnumerateObject().Any(),
        _ => true,
    };

    /// <summary>Docker's `json` function: json.Marshal without HTML escaping, on one line.</summary>
    public string ToJson()
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            if (NoValue) writer.WriteNullValue();
            else if (Text is { } text) writer.WriteStringValue(text);
            else Element.WriteTo(writer);
        }
        string json = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        return IsRow ? json.Replace("<", "\\u003c").Replace(">", "\\u003e").Replace("&", "\\u0026") : json;
    }
}
