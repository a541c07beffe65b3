using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MiniRun.Images;

/// <summary>Reads the small JSON files of an image source, bounded in size so hostile input cannot exhaust memory.</summary>
public static class ImageJson
{
    /// <summary>No manifest, index or config seen in practice comes near this; larger is refused before it is read.</summary>
    public const int MaxJsonBytes = 4 * 1024 * 1024;

    /// <summary>Reads at most <see cref="MaxJsonBytes"/> from <paramref name="stream"/>; more is an <see cref="InvalidInputException"/>.</summary>
    public static byte[] ReadBounded(Stream stream, string where)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int n;
        while ((n = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + n > MaxJsonBytes)
                throw new InvalidInputException($"{where}: larger than {MaxJsonBytes / (1024 * 1024)} MiB, refused as a JSON document");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    public static T Parse<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> type, string where)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new InvalidInputException($"{where}: is JSON null, expected an object");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{where}: malformed JSON ({UserMessages.Detail(e)})");
        }
    }

    /// <summary>An image config, from a JsonDocument (see <see cref="ImageConfigReader"/>).</summary>
    internal static ImageConfig ParseConfig(ReadOnlySpan<byte> json, string where) => ReadDocument(json, where, ImageConfigReader.Read);

    /// <summary>repositories.json: name → image ID. From a JsonDocument, as the config (see <see cref="ImageConfigReader"/>).</summary>
    internal static SortedDictionary<string, string> ParseNames(ReadOnlySpan<byte> json, string where) => ReadDocument(json, where, root =>
    {
        var names = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty name in ImageConfigReader.Members(root, "$"))
            names[name.Name] = ImageConfigReader.Text(name.Value, "$." + name.Name) ?? throw ImageConfigReader.WrongKind("$." + name.Name, "a string");
        return names;
    });

    /// <summary>image.json: what the store knows of an image besides its config. From a JsonDocument, as the config.</summary>
    internal static ImageMetadata ParseMetadata(ReadOnlySpan<byte> json, string where) => ReadDocument(json, where, root =>
    {
        var metadata = new ImageMetadata();
        foreach (JsonProperty member in ImageConfigReader.Members(root, "$"))
        {
            JsonElement value = member.Value;
            switch (member.Name)
            {
                case "size": metadata.Size = value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long size) ? size : throw ImageConfigReader.WrongKind("$.size", "a whole number"); break;
                case "added": metadata.Added = ImageConfigReader.Time(value, "$.added") ?? throw ImageConfigReader.WrongKind("$.added", "a date and time"); break;
                case "repoDigests": metadata.RepoDigests = ImageConfigReader.Strings(value, "$.repoDigests") ?? throw ImageConfigReader.WrongKind("$.repoDigests", "an array"); break;
            }
        }
        return metadata;
    });

    private static T ReadDocument<T>(ReadOnlySpan<byte> json, string where, Func<JsonElement, T> read)
    {
        try
        {
            JsonElement root = ParseElement(json, maxDepth: 64);
            if (root.ValueKind == JsonValueKind.Null) throw new InvalidInputException($"{where}: is JSON null, expected an object");
            return read(root);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) // invalid UTF-8 in a string, found when read
        {
            throw new InvalidInputException($"{where}: malformed JSON ({UserMessages.Detail(e)})");
        }
    }

    /// <summary>
    /// One JSON value, and nothing after it, as a JsonElement on memory of its own. Not JsonDocument.Parse: that rents
    /// from the shared array pool, whose first use calibrates the processor-ID cache (0.06 ms of every `run`).
    /// </summary>
    internal static JsonElement ParseElement(ReadOnlySpan<byte> json, int maxDepth)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
        JsonElement root = JsonElement.ParseValue(ref reader);
        if (reader.Read()) throw new JsonException("more after the JSON value"); // trailing text other than white space throws first
        return root;
    }

    internal static OciManifest ParseManifest(ReadOnlySpan<byte> json, string where) => Parse(json, ImagesJsonContext.Default.OciManifest, where);
    internal static OciIndex ParseIndex(ReadOnlySpan<byte> json, string where) => Parse(json, ImagesJsonContext.Default.OciIndex, where);
    internal static List<DockerManifestEntry> ParseDockerManifest(ReadOnlySpan<byte> json, string where) =>
        Parse(json, ImagesJsonContext.Default.ListDockerManifestEntry, where);
}
