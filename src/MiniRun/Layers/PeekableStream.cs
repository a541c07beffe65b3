namespace MiniRun.Layers;

/// <summary>A forward-only stream whose first bytes can be looked at before they are read (for magic-byte detection).</summary>
internal sealed class PeekableStream(Stream inner) : ForwardOnlyStream
{
    private byte[] _head = [];
    private int _headOffset;

    public ReadOnlySpan<byte> Peek(int count)
    {
        byte[] buffer = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            int n = inner.Read(buffer, filled, count - filled);
            if (n == 0) break;
            filled += n;
        }
        _head = buffer[..filled];
        _headOffset = 0;
        return _head;
    }

    protected override int ReadCore(Span<byte> buffer)
    {
        if (_headOffset >= _head.Length) return inner.Read(buffer);
        int n = Math.Min(buffer.Length, _head.Length - _headOffset);
        _head.AsSpan(_headOffset, n).CopyTo(buffer);
        _headOffset += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
