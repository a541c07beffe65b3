namespace MiniRun.Layers;

/// <summary>A read-only view of the current entry's data in a <see cref="TarArchiveReader"/> (for JSON and other small files).</summary>
internal sealed class TarEntryDataStream(TarArchiveReader reader) : ForwardOnlyStream
{
    protected override int ReadCore(Span<byte> buffer) => reader.ReadData(buffer);
}
