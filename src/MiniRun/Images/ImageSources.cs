using MiniRun.Layers;
using MiniRun.Store;

namespace MiniRun.Images;

/// <summary>Opens what <c>load -i PATH</c> names: a directory as it is, a tar indexed in place, a compressed tar via a scratch copy.</summary>
public static class ImageSources
{
    /// <summary>
    /// The source at <paramref name="path"/>. A compressed archive (<c>docker save | gzip</c>) cannot be read in place, so it is
    /// decompressed into a scratch directory under the store's tmp/, returned in <paramref name="scratch"/> for the caller to delete.
    /// </summary>
    public static BlobSource Open(string path, StorePaths paths, ref string? scratch)
    {
        if (Directory.Exists(path)) return new DirectoryBlobSource(path);
        if (!File.Exists(path)) throw new NotFoundException($"no such file or directory: {path}");
        CompressionKind kind;
        using (FileStream head = File.OpenRead(path))
        {
            Span<byte> magic = stackalloc byte[6];
            int n = head.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
            kind = Compression.Detect(magic[..n]);
        }
        if (kind == CompressionKind.None) return new TarArchiveIndex(path);

        scratch = paths.NewTempDirectory("load");
        string plain = Path.Combine(scratch, "archive.tar");
        try
        {
            using FileStream compressed = File.OpenRead(path);
            using Stream decompressed = Compression.Decompress(compressed, out _);
            using FileStream output = File.Create(plain);
            decompressed.CopyTo(output);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException and not FileNotFoundException)
        {
            throw new InvalidInputException($"archive \"{path}\": {kind} data is corrupt or truncated ({UserMessages.Detail(e)})");
        }
        return new TarArchiveIndex(plain, displayName: path);
    }
}
