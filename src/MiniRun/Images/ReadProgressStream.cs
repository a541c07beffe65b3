namespace MiniRun.Images;

/// <summary>Passes a blob through and reports how many of its bytes have been read (load's progress bar).</summary>
internal sealed class ReadProgressStream(Stream inner, Action<long> onRead) : ForwardOnlyStream
{
    protected override int ReadCore(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        if (n > 0) onRead(Position + n);
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
