using MiniRun.Layers;
using MiniRun.Store;

namespace MiniRun.Images;

/// <summary>Opens what <c>load -i PATH</c> names: a directory as it is, a tar indexed in place, a compressed tar or a stream via a scratch copy.</summary>
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
        using FileStream compressed = File.OpenRead(path);
        return Spool(compressed, path, paths, ref scratch);
    }

    /// <summary>
    /// A stream (<c>load &lt; x.tar</c>, <c>docker save | minirun load</c>): archives are read by offset, a pipe cannot be, so it is
    /// copied (decompressed, when it is) into a scratch directory under the store's tmp/, block by block, never whole in memory.
    /// </summary>
    public static BlobSource Open(Stream input, string displayName, StorePaths paths, ref string? scratch)
    {
        // A file behind the stream (`load < x.tar`) is read in place, as `load -i` reads it: no copy at all.
        if (input is FileStream { CanSeek: true, Position: 0 } file)
        {
            Span<byte> magic = stackalloc byte[6];
            int n = RandomAccess.Read(file.SafeFileHandle, magic, 0);
            if (Compression.Detect(magic[..n]) == CompressionKind.None) return new TarArchiveIndex(file.SafeFileHandle, displayName);
        }
        return Spool(input, displayName, paths, ref scratch);
    }

    private static TarArchiveIndex Spool(Stream input, string displayName, StorePaths paths, ref string? scratch)
    {
        scratch = paths.NewTempDirectory("load");
        string plain = Path.Combine(scratch, "archive.tar");
        CompressionKind kind = CompressionKind.None;
        try
        {
            using Stream decompressed = Compression.Decompress(input, out kind);
            using FileStream output = File.Create(plain);
            decompressed.CopyTo(output, 1 << 20);
        }
        catch (Exception e) when (ImageLoader.IsCorruptData(e) || e is IOException and not FileNotFoundException)
        {
            string what = kind == CompressionKind.None ? "" : $"{kind} data ";
            throw new InvalidInputException($"archive \"{displayName}\": {what}is corrupt or truncated ({UserMessages.Detail(e)})");
        }
        return new TarArchiveIndex(plain, displayName);
    }
}
