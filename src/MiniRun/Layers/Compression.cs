using System.IO.Compression;
using SharpCompress.Compressors.Xz;
using ZstdSharp;

namespace MiniRun.Layers;

/// <summary>Layer and rootfs compressions, recognised by their magic bytes, never by a media type or file name.</summary>
public enum CompressionKind { None, Gzip, Zstd, Xz }

public static class Compression
{
    /// <summary>Peeks at the first bytes of <paramref name="source"/> and returns a stream of its decompressed content.</summary>
    public static Stream Decompress(Stream source, out CompressionKind kind)
    {
        var peek = new PeekableStream(source);
        ReadOnlySpan<byte> head = peek.Peek(6);
        kind = Detect(head);
        return kind switch
        {
            CompressionKind.Gzip => new GZipStream(peek, CompressionMode.Decompress),
            CompressionKind.Zstd => new DecompressionStream(peek),
            CompressionKind.Xz => new XZStream(peek),
            _ => peek,
        };
    }

    public static CompressionKind Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b) return CompressionKind.Gzip;
        if (head.Length >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd) return CompressionKind.Zstd;
        if (head.Length >= 6 && head[..6].SequenceEqual((ReadOnlySpan<byte>)[0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00]))
            return CompressionKind.Xz;
        return CompressionKind.None;
    }
}
