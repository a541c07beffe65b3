using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace MiniRun;

/// <summary>
/// Options for the writers on the way to a start (config.json, state.json, the init spec). The escaping is the
/// default one (Basic Latin as is, everything else \uXXXX) from an encoder of our own: with none, a writer asks
/// JavaScriptEncoder.Default, whose type's static constructor also builds the all-of-Unicode encoder (0.1 ms of a run).
/// </summary>
internal static class JsonWriterSettings
{
    private static readonly JavaScriptEncoder BasicLatin = JavaScriptEncoder.Create(UnicodeRanges.BasicLatin);

    public static JsonWriterOptions Compact => new() { Encoder = BasicLatin };

    public static JsonWriterOptions Indented => new() { Encoder = BasicLatin, Indented = true };
}
