namespace MiniRun.Images.Registry;

/// <summary>
/// A response body as it arrives: each read must deliver within the stall timeout, progress is reported per read,
/// and a dropped connection becomes a one-line <see cref="RegistryException"/>. Disposing it releases the response.
/// </summary>
internal sealed class RegistryBlobStream(Stream body, HttpResponseMessage? response, TimeSpan stallTimeout, string what, Action<long>? onRead)
    : ForwardOnlyStream
{
    private readonly byte[] _chunk = new byte[1 << 17];

    protected override int ReadCore(Span<byte> buffer)
    {
        // The async read takes a cancellation token, which is how a stalled socket read is ended.
        using var stall = new CancellationTokenSource(stallTimeout);
        int n;
        try
        {
            n = body.ReadAsync(_chunk.AsMemory(0, Math.Min(buffer.Length, _chunk.Length)), stall.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            throw new RegistryException($"{what}: no data for {stallTimeout.TotalSeconds:0} s, download abandoned");
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new RegistryException($"{what}: connection lost after {Position} bytes ({UserMessages.Detail(e)})");
        }
        _chunk.AsSpan(0, n).CopyTo(buffer);
        if (n > 0) onRead?.Invoke(Position + n);
        return n;
    }

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
