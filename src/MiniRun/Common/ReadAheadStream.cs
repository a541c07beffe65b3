using System.Runtime.ExceptionServices;

namespace MiniRun.Common;

/// <summary>
/// Reads its source on a thread of its own, a few large buffers ahead of the consumer, so that whatever the source
/// stream does (pread, the blob digest, decompression) runs on one core while the consumer (the DiffID hash and the
/// tar reader, see <see cref="Layers.PrefetchingTarReader"/>) runs on another. Worth it for a decompressor; for a
/// plain tar the hand-offs cost more than the pread they overlap. Memory is bounded: <c>BufferCount × BufferSize</c>, reused. An exception
/// of the source is rethrown, with its original type and stack, by the consumer's next read. Dispose stops the
/// reader thread and waits for it, so the source is never touched after it; the source itself is not disposed.
/// </summary>
public sealed class ReadAheadStream : ForwardOnlyStream
{
    private const int BufferSize = 1 << 20;
    private const int BufferCount = 4;

    private readonly Stream _source;
    private readonly Thread _reader;
    private readonly object _gate = new();
    private readonly Queue<(byte[] Buffer, int Length)> _filled = new(BufferCount);
    private readonly Stack<byte[]> _free = new(BufferCount);
    private byte[]? _current;
    private int _currentOffset, _currentLength;
    private bool _sourceEnded, _stopping;
    private ExceptionDispatchInfo? _failure;

    public ReadAheadStream(Stream source)
    {
        _source = source;
        for (int i = 0; i < BufferCount; i++) _free.Push(new byte[BufferSize]);
        _reader = new Thread(ReadSource) { IsBackground = true, Name = "minirun read-ahead" };
        _reader.Start();
    }

    protected override int ReadCore(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        if (_current is null || _currentOffset == _currentLength)
        {
            if (!TakeFilled()) return 0;
        }
        int n = Math.Min(buffer.Length, _currentLength - _currentOffset);
        _current.AsSpan(_currentOffset, n).CopyTo(buffer);
        _currentOffset += n;
        return n;
    }

    /// <summary>Returns the drained buffer to the reader and waits for the next full one; false at the end of the source.</summary>
    private bool TakeFilled()
    {
        lock (_gate)
        {
            if (_current is not null)
            {
                _free.Push(_current);
                _current = null;
                Monitor.PulseAll(_gate);
            }
            while (_filled.Count == 0 && !_sourceEnded) Monitor.Wait(_gate);
            if (_filled.Count == 0)
            {
                _failure?.Throw();
                return false;
            }
            (_current, _currentLength) = _filled.Dequeue();
            _currentOffset = 0;
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    /// <summary>
    /// The reader thread: fills free buffers completely (fewer hand-overs) and queues them; stops at the end, on a
    /// failure (after queueing the bytes read before it, so the consumer meets the error where it happened) or on Dispose.
    /// </summary>
    private void ReadSource()
    {
        while (true)
        {
            byte[] buffer;
            lock (_gate)
            {
                while (_free.Count == 0 && !_stopping) Monitor.Wait(_gate);
                if (_stopping) return;
                buffer = _free.Pop();
            }
            int length = 0;
            ExceptionDispatchInfo? failure = null;
            try
            {
                while (length < buffer.Length)
                {
                    int n = _source.Read(buffer, length, buffer.Length - length);
                    if (n == 0) break;
                    length += n;
                }
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            lock (_gate)
            {
                if (length > 0) _filled.Enqueue((buffer, length));
                _failure = failure;
                _sourceEnded = failure is not null || length < buffer.Length;
                Monitor.PulseAll(_gate);
                if (_sourceEnded) return;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                _stopping = true;
                Monitor.PulseAll(_gate);
            }
            _reader.Join();
        }
        base.Dispose(disposing);
    }
}
