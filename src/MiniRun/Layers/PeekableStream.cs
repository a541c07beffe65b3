namespace MiniRun.Layers;

/// <summary>A forward-only stream whose first bytes can be looked at before they are read (for magic-byte detection).</summary>
internal sealed class PeekableStream(Stream inner) : Stream
{
    private byte[] _head = [];
    private int _headOffset;
    private long _position;

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

    public override int Read(Span<byte> buffer)
    {
        int n;
        if (_headOffset < _head.Length)
        {
            n = Math.Min(buffer.Length, _head.Length - _headOffset);
            _head.AsSpan(_headOffset, n).CopyTo(buffer);
            _headOffset += n;
        }
        else n = inner.Read(buffer);
        _position += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    /// <summary>Bytes handed out so far (SharpCompress's XZStream reads it to align its blocks).</summary>
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
