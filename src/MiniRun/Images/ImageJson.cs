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
            throw new InvalidInputException($"{where}: malformed JSON ({OneLine(e.Message)})");
        }
    }

    internal static ImageConfig ParseConfig(ReadOnlySpan<byte> json, string where)
    {
        try
        {
            return ImageConfigReader.Read(json) ?? throw new InvalidInputException($"{where}: is JSON null, expected an object");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{where}: malformed JSON ({OneLine(e.Message)})");
        }
    }
    internal static OciManifest ParseManifest(ReadOnlySpan<byte> json, string where) => Parse(json, ImagesJsonContext.Default.OciManifest, where);
    internal static OciIndex ParseIndex(ReadOnlySpan<byte> json, string where) => Parse(json, ImagesJsonContext.Default.OciIndex, where);
    internal static List<DockerManifestEntry> ParseDockerManifest(ReadOnlySpan<byte> json, string where) =>
        Parse(json, ImagesJsonContext.Default.ListDockerManifestEntry, where);

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
