using System.IO.Compression;

namespace MiniRun.Layers;

/// <summary>
/// Records a layer tar as it is read, less the file contents (Docker's tar-split): every header, PAX record, padding
/// and end block byte for byte, and for each file's data only its entry name and length. With the unpacked files,
/// <see cref="TarSplitAssembler"/> gives back the very tar, so `save` writes the DiffID (and keeps the image ID) that
/// `load` checked. Deflated: headers are mostly zeros. Written on the tar reader's thread, in archive order.
/// </summary>
public sealed class TarSplitWriter : IDisposable
{
    internal const byte RawRecord = (byte)'R', DataRecord = (byte)'F';
    private readonly BinaryWriter _writer;

    public TarSplitWriter(Stream output) =>
        _writer = new BinaryWriter(new DeflateStream(output, CompressionLevel.Fastest), System.Text.Encoding.UTF8);

    /// <summary>Bytes of the tar that are not file contents.</summary>
    public void Raw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        _writer.Write(RawRecord);
        _writer.Write7BitEncodedInt(bytes.Length);
        _writer.Write(bytes);
    }

    /// <summary>The <paramref name="size"/> bytes of the entry <paramref name="name"/> (as the tar spells it) come next.</summary>
    public void Data(string name, long size)
    {
        _writer.Write(DataRecord);
        _writer.Write7BitEncodedInt64(size);
        _writer.Write(name);
    }

    public void Dispose() => _writer.Dispose();
}
