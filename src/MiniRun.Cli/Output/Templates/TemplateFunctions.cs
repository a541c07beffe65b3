using System.Globalization;
using System.Text.Json;

namespace MiniRun.Cli.Output.Templates;

/// <summary>The functions Docker's --format offers (its templates.basicFunctions) that MiniRun has, plus Go's index and len.</summary>
public static class TemplateFunctions
{
    private static readonly HashSet<string> Names = ["json", "index", "upper", "lower", "title", "join", "len"];

    public static bool Exists(string name) => Names.Contains(name);

    /// <summary>Calls NAME; a failure returns Go's reason (no position), which the caller wraps.</summary>
    public static TemplateValue Call(string name, IReadOnlyList<TemplateValue> args)
    {
        switch (name)
        {
            case "json":
                Count(name, args, 1);
                return TemplateValue.Of(args[0].ToJson());
            case "upper":
                Count(name, args, 1);
                return TemplateValue.Of(args[0].ToString().ToUpperInvariant());
            case "lower":
                Count(name, args, 1);
                return TemplateValue.Of(args[0].ToString().ToLowerInvariant());
            case "title":
                Count(name, args, 1);
                return TemplateValue.Of(CultureInfo.InvariantCulture.TextInfo.ToTitleCase(args[0].ToString()));
            case "join":
                Count(name, args, 2);
                if (!args[0].IsJson || args[0].Element.ValueKind != JsonValueKind.Array)
                    throw new InvalidOperationException($"wrong type for value; expected []string; got {GoType(args[0])}");
                return TemplateValue.Of(string.Join(args[1].ToString(), args[0].Element.EnumerateArray().Select(e => TemplateValue.Of(e).ToString())));
            case "len":
                Count(name, args, 1);
                return TemplateValue.Of(Length(args[0]).ToString(CultureInfo.InvariantCulture));
            case "index":
                if (args.Count == 0) throw new InvalidOperationException("wrong number of args for index: want at least 1 got 0");
                TemplateValue value = args[0];
                foreach (TemplateValue key in args.Skip(1)) value = Index(value, key);
                return value;
            default:
                throw new InvalidOperationException($"function \"{name}\" not defined");
        }
    }

    private static TemplateValue Index(TemplateValue value, TemplateValue key)
    {
        if (value.IsJson && value.Element.ValueKind == JsonValueKind.Object)
            // A missing key gives the map's zero value: "" for Docker's string maps.
            return value.Element.TryGetProperty(key.ToString(), out JsonElement found) ? TemplateValue.Of(found) : TemplateValue.Of("");
        if (value.IsJson && value.Element.ValueKind == JsonValueKind.Array)
        {
            int length = value.Element.GetArrayLength();
            if (!int.TryParse(key.ToString(), out int i)) throw new InvalidOperationException($"cannot index slice/array with type {GoType(key)}");
            if (i < 0 || i >= length) throw new InvalidOperationException($"error calling index: index out of range: {i}");
            return TemplateValue.Of(value.Element[i]);
        }
        throw new InvalidOperationException($"error calling index: can't index item of type {GoType(value)}");
    }

    private static int Length(TemplateValue value)
    {
        if (value.Text is { } text) return System.Text.Encoding.UTF8.GetByteCount(text);
        if (value.IsJson) switch (value.Element.ValueKind)
        {
            case JsonValueKind.Array: return value.Element.GetArrayLength();
            case JsonValueKind.Object: return value.Element.EnumerateObject().Count();
            case JsonValueKind.String: return System.Text.Encoding.UTF8.GetByteCount(value.Element.GetString()!);
        }
        throw new InvalidOperationException($"error calling len: len of type {GoType(value)}");
    }

    private static void Count(string name, IReadOnlyList<TemplateValue> args, int want)
    {
        if (args.Count != want) throw new InvalidOperationException($"wrong number of args for {name}: want {want} got {args.Count}");
    }

    private static string GoType(TemplateValue value) => value.NoValue ? "<nil>" : value.Text is not null ? "string" : value.Element.ValueKind switch
    {
        JsonValueKind.Array => "[]interface {}",
        JsonValueKind.Object => "map[string]interface {}",
        JsonValueKind.Number => "float64",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.String => "string",
        _ => "<nil>",
    };
}
