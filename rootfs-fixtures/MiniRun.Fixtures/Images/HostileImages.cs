using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace MiniRun.Fixtures.Images;

/// <summary>A named hostile image archive, written on demand (some are large once decompressed, never on disk).</summary>
public sealed record HostileImage(string Name, Action<string> Write)
{
    public override string ToString() => Name; // xunit shows this as the theory case name
}

/// <summary>
/// Image archives (docker save) that are damaged or malicious above the layer level: truncated, blobs that do not
/// match their digests, decompression bombs, absurd layer counts, malformed JSON, and names that would break a
/// mount option string or a line-oriented listing. A loader must refuse each with one line and keep nothing.
/// </summary>
public static class HostileImages
{
    /// <summary>Far beyond what the manifest declares: the bomb's layer tar is a few KiB, then this many zero bytes.</summary>
    public const int BombBytes = 256 << 20;

    public static IReadOnlyList<HostileImage> All { get; } =
    [
        new("truncated-archive", path => { Valid().Write(ArchiveFormat.DockerSave, path); Truncate(path); }),
        new("truncated-gzip-layer", path => Rewrite(Valid(LayerCompression.Gzip), path, (files, layer) => ReplaceBlob(files, layer, files[layer][..(files[layer].Length / 2)]))),
        new("truncated-zstd-layer", path => Rewrite(Valid(LayerCompression.Zstd), path, (files, layer) => ReplaceBlob(files, layer, files[layer][..(files[layer].Length / 2)]))),
        new("wrong-blob-digest", path => new ImageArchiveBuilder { TamperBlobOfLayer = 0 }.AddLayer(SmallTar).WithName("hostile:latest").Write(ArchiveFormat.DockerSave, path)),
        new("wrong-diffid", path => new ImageArchiveBuilder { WrongDiffIdOfLayer = 0 }.AddLayer(SmallTar).WithName("hostile:latest").Write(ArchiveFormat.DockerSave, path)),
        new("gzip-bomb", path => Rewrite(Valid(LayerCompression.Gzip), path, (files, layer) => ReplaceBlob(files, layer, GzipBomb()))),
        new("zstd-bomb", path => Rewrite(Valid(LayerCompression.Zstd), path, (files, layer) => ReplaceBlob(files, layer, ZstdBomb()))),
        new("absurd-layer-count", path => ManyLayers(1000).Write(ArchiveFormat.DockerSave, path)),
        new("malformed-manifest-json", path => Rewrite(Valid(), path, (files, _) => files["manifest.json"] = "[{\"Config\": \"blobs/"u8.ToArray())),
        new("manifest-json-null", path => Rewrite(Valid(), path, (files, _) => files["manifest.json"] = "null"u8.ToArray())),
        new("malformed-config-json", path => Rewrite(Valid(), path, (files, _) => ReplaceBlob(files, ConfigPath(files), "{\"rootfs\": {\"diff_ids\": [\"sha"u8.ToArray()))),
        new("name-with-newline", path => Rewrite(Valid(), path, (files, _) => Rename(files, "evil\\nname:latest"))),
        new("name-with-comma", path => Rewrite(Valid(), path, (files, _) => Rename(files, "evil,lowerdir=x:latest"))),
        new("name-with-colons", path => Rewrite(Valid(), path, (files, _) => Rename(files, "evil:na:me"))),
    ];

    public static HostileImage Get(string name) => All.Single(i => i.Name == name);

    private static byte[] SmallTar => LayerTar.Files(("hello", "world\n"));

    private const string Placeholder = "hostile:latest";

    private static ImageArchiveBuilder Valid(LayerCompression compression = LayerCompression.None) =>
        new ImageArchiveBuilder { Compression = compression }.AddLayer(SmallTar).WithName(Placeholder);

    private static ImageArchiveBuilder ManyLayers(int count)
    {
        var builder = new ImageArchiveBuilder().WithName(Placeholder);
        for (int i = 0; i < count; i++) builder.AddLayer(LayerTar.Files(($"f{i}", "x")));
        return builder;
    }

    private static void Truncate(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.SetLength(file.Length / 2 + 100);
    }

    /// <summary>Writes a valid archive, lets <paramref name="change"/> edit its files (given the first layer's path), writes it back.</summary>
    private static void Rewrite(ImageArchiveBuilder builder, string path, Action<SortedDictionary<string, byte[]>, string> change)
    {
        builder.Write(ArchiveFormat.DockerSave, path);
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        using (var reader = new TarReader(File.OpenRead(path)))
            for (TarEntry? entry; (entry = reader.GetNextEntry()) is not null;)
            {
                if (entry.DataStream is null) continue;
                using var data = new MemoryStream();
                entry.DataStream.CopyTo(data);
                files[entry.Name] = data.ToArray();
            }
        string layer = "blobs/sha256/" + ImageArchiveBuilder.Sha256(ImageArchiveBuilder.Compress(SmallTar, builder.Compression))["sha256:".Length..];
        change(files, layer);
        ImageArchiveBuilder.WriteTar(files, path);
    }

    /// <summary>New content under its own (correct) digest, every JSON reference updated: only the content is hostile.</summary>
    private static void ReplaceBlob(SortedDictionary<string, byte[]> files, string oldPath, byte[] content)
    {
        string oldHex = oldPath["blobs/sha256/".Length..];
        string newHex = Convert.ToHexStringLower(SHA256.HashData(content));
        files.Remove(oldPath);
        files["blobs/sha256/" + newHex] = content;
        foreach (string name in files.Keys.ToList())
        {
            if (name.StartsWith("blobs/", StringComparison.Ordinal) && name != "blobs/sha256/" + newHex && files[name].Length > 64 << 10) continue;
            string text = Encoding.UTF8.GetString(files[name]);
            if (!text.Contains(oldHex, StringComparison.Ordinal)) continue;
            files[name] = Encoding.UTF8.GetBytes(text.Replace(oldHex, newHex).Replace($"\"size\":{SizeOf(text, oldHex)}", $"\"size\":{content.Length}"));
        }
    }

    private static string SizeOf(string json, string hex)
    {
        int at = json.IndexOf(hex, StringComparison.Ordinal);
        int size = json.IndexOf("\"size\":", at, StringComparison.Ordinal);
        if (at < 0 || size < 0) return "-1";
        int start = size + "\"size\":".Length, end = start;
        while (end < json.Length && char.IsAsciiDigit(json[end])) end++;
        return json[start..end];
    }

    private static string ConfigPath(SortedDictionary<string, byte[]> files)
    {
        string manifest = Encoding.UTF8.GetString(files["manifest.json"]);
        int start = manifest.IndexOf("blobs/sha256/", StringComparison.Ordinal);
        return manifest.Substring(start, "blobs/sha256/".Length + 64);
    }

    private static void Rename(SortedDictionary<string, byte[]> files, string jsonEscapedName)
    {
        foreach (string name in files.Keys.Where(n => !n.StartsWith("blobs/", StringComparison.Ordinal)).ToList())
            files[name] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(files[name]).Replace(Placeholder, jsonEscapedName));
    }

    /// <summary>The small tar, then <see cref="BombBytes"/> zeros: a few hundred KiB compressed.</summary>
    private static byte[] GzipBomb()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(SmallTar);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < BombBytes / zeros.Length; i++) gzip.Write(zeros);
        }
        return buffer.ToArray();
    }

    private static byte[] ZstdBomb()
    {
        using var buffer = new MemoryStream();
        using (var zstd = new ZstdSharp.CompressionStream(buffer, 19, leaveOpen: true))
        {
            zstd.Write(SmallTar);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < BombBytes / zeros.Length; i++) zstd.Write(zeros);
        }
        return buffer.ToArray();
    }
}
