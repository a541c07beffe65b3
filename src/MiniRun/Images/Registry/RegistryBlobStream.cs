namespace MiniRun.Images.Registry;

/// <summary>
/// A response body as it arrives: each read must deliver within the stall timeout, progress is reported per read,
/// and a dropped connection becomes a one-line <see cref="RegistryException"/>. Disposing it releases the response.
/// </summary>
internal sealed class RegistryBlobStream(Stream body, HttpResponseMessage? response, TimeSpan stallTimeout, string what, Action<long>? onRead) : Stream
{
    private long _read;

    public override int Read(byte[] buffer, int offset, int count)
    {
        using var stall = new CancellationTokenSource(stallTimeout);
        int n;
        try
        {
            n = body.ReadAsync(buffer.AsMemory(offset, count), stall.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            throw new RegistryException($"{what}: no data for {stallTimeout.TotalSeconds:0} s, download abandoned");
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new RegistryException($"{what}: connection lost after {_read} bytes ({e.Message.ReplaceLineEndings(" ")})");
        }
        _read += n;
        if (n > 0) onRead?.Invoke(_read);
        return n;
    }

    public override int Read(Span<byte> buffer)
    {
        byte[] chunk = new byte[Math.Min(buffer.Length, 1 << 17)];
        int n = Read(chunk, 0, chunk.Length);
        chunk.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            body.Dispose();
            response?.Dispose();
        }
        base.Dispose(disposing);
    }
}
