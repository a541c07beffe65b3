using System.Text.Json;

namespace MiniRun.Images;

/// <summary>
/// Reads an <see cref="ImageConfig"/> as System.Text.Json's generated metadata would, field for field, but from a
/// <see cref="JsonDocument"/>: building that metadata (NativeAOT, first use in a process) cost about a millisecond of
/// every `run`, more than the rest of resolving the image. Writing a config still goes through the metadata.
/// A value of the wrong JSON kind is malformed JSON, as it is for the serializer; an optional field may be null, but
/// not the rootfs, its diff_ids, nor an element of a list (the serializer let those through, to fail later).
/// </summary>
internal static class ImageConfigReader
{
    /// <summary>The config in a parsed document (see ImageJson.ParseConfig); a <see cref="JsonException"/> when it is malformed.</summary>
    public static ImageConfig Read(JsonElement root)
    {
        var config = new ImageConfig();
        foreach (JsonProperty member in Members(root, "$"))
        {
            JsonElement value = member.Value;
            switch (member.Name)
            {
                case "created": config.Created = Time(value, "$.created"); break;
                case "author": config.Author = Text(value, "$.author"); break;
                case "architecture": config.Architecture = Text(value, "$.architecture"); break;
                case "variant": config.Variant = Text(value, "$.variant"); break;
                case "os": config.Os = Text(value, "$.os"); break;
                case "config": config.Config = value.ValueKind == JsonValueKind.Null ? null : ContainerConfigOf(value); break;
                case "rootfs": config.RootFs = RootFsOf(value); break;
                case "history": config.History = List(value, "$.history", HistoryOf); break;
                default: (config.Extra ??= [])[member.Name] = value.Clone(); break;
            }
        }
        return config;
    }

    private static ContainerConfig ContainerConfigOf(JsonElement element)
    {
        var config = new ContainerConfig();
        foreach (JsonProperty member in Members(element, "$.config"))
        {
            JsonElement value = member.Value;
            switch (member.Name)
            {
                case "User": config.User = Text(value, "$.config.User"); break;
                case "Env": config.Env = Strings(value, "$.config.Env"); break;
                case "Entrypoint": config.Entrypoint = Strings(value, "$.config.Entrypoint"); break;
                case "Cmd": config.Cmd = Strings(value, "$.config.Cmd"); break;
                case "WorkingDir": config.WorkingDir = Text(value, "$.config.WorkingDir"); break;
                case "Labels": config.Labels = Labels(value); break;
                case "StopSignal": config.StopSignal = Text(value, "$.config.StopSignal"); break;
                case "Volumes": config.Volumes = Volumes(value); break;
                default: (config.Extra ??= [])[member.Name] = value.Clone(); break;
            }
        }
        return config;
    }

    private static RootFs RootFsOf(JsonElement element)
    {
        var rootFs = new RootFs();
        foreach (JsonProperty member in Members(element, "$.rootfs"))
        {
            if (member.Name == "type") rootFs.Type = Text(member.Value, "$.rootfs.type") ?? throw WrongKind("$.rootfs.type", "a string");
            else if (member.Name == "diff_ids") rootFs.DiffIds = Strings(member.Value, "$.rootfs.diff_ids") ?? throw WrongKind("$.rootfs.diff_ids", "an array");
        }
        return rootFs;
    }

    private static HistoryEntry HistoryOf(JsonElement element, string path)
    {
        var entry = new HistoryEntry();
        foreach (JsonProperty member in Members(element, path))
        {
            JsonElement value = member.Value;
            switch (member.Name)
            {
                case "created": entry.Created = Time(value, path + ".created"); break;
                case "created_by": entry.CreatedBy = Text(value, path + ".created_by"); break;
                case "author": entry.Author = Text(value, path + ".author"); break;
                case "comment": entry.Comment = Text(value, path + ".comment"); break;
                case "empty_layer":
                    entry.EmptyLayer = value.ValueKind switch
                    {
                        JsonValueKind.Null => null,
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw WrongKind(path + ".empty_layer", "a boolean"),
                    };
                    break;
            }
        }
        return entry;
    }

    /// <summary>An object's members; a <see cref="JsonException"/> naming <paramref name="path"/> when it is not an object.</summary>
    internal static JsonElement.ObjectEnumerator Members(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Object ? element.EnumerateObject() : throw WrongKind(path, "an object");

    internal static string? Text(JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        _ => throw WrongKind(path, "a string"),
    };

    internal static DateTimeOffset? Time(JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String when value.TryGetDateTimeOffset(out DateTimeOffset time) => time,
        _ => throw WrongKind(path, "a date and time (RFC 3339)"),
    };

    internal static List<string>? Strings(JsonElement value, string path) =>
        List(value, path, (item, at) => Text(item, at) ?? throw WrongKind(at, "a string"));

    private static List<T>? List<T>(JsonElement value, string path, Func<JsonElement, string, T> item)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Array) throw WrongKind(path, "an array");
        var list = new List<T>(value.GetArrayLength());
        int i = 0;
        foreach (JsonElement element in value.EnumerateArray()) list.Add(item(element, $"{path}[{i++}]"));
        return list;
    }

    private static Dictionary<string, string>? Labels(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        var labels = new Dictionary<string, string>();
        foreach (JsonProperty label in Members(value, "$.config.Labels"))
            labels[label.Name] = Text(label.Value, "$.config.Labels." + label.Name) ?? throw WrongKind("$.config.Labels." + label.Name, "a string");
        return labels;
    }

    private static Dictionary<string, JsonElement>? Volumes(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        var volumes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty volume in Members(value, "$.config.Volumes")) volumes[volume.Name] = volume.Value.Clone();
        return volumes;
    }

    internal static JsonException WrongKind(string path, string expected) => new($"{path} is not {expected}");
}
