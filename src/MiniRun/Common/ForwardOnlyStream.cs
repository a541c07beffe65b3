namespace MiniRun.Common;

/// <summary>
/// The base of MiniRun's pass-through streams (hashing, verifying, peeking, tar entry data): read-only, not
/// seekable, and counting what it hands out, which is its <see cref="Position"/>.
/// </summary>
public abstract class ForwardOnlyStream : Stream
{
    private long _position;

    /// <summary>Reads into <paramref name="buffer"/>; 0 at the end.</summary>
    protected abstract int ReadCore(Span<byte> buffer);

    public sealed override int Read(Span<byte> buffer)
    {
        int n = ReadCore(buffer);
        _position += n;
        return n;
    }

    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public sealed override bool CanRead => true;
    public sealed override bool CanSeek => false;
    public sealed override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public sealed override long Position { get => _position; set => throw new NotSupportedException(); }
    public sealed override void Flush() { }
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public sealed override void SetLength(long value) => throw new NotSupportedException();
    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
