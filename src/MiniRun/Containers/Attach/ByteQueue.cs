namespace MiniRun.Containers.Attach;

/// <summary>Bytes waiting to be written or parsed, first in first out: appended at the end, consumed from the front.</summary>
internal sealed class ByteQueue
{
    private byte[] _data = new byte[4096];
    private int _start, _end;

    public int Count => _end - _start;

    public ReadOnlySpan<byte> Pending => _data.AsSpan(_start, Count);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_end + bytes.Length > _data.Length)
        {
            // Moved to the front, or into a larger array when that is not room enough.
            byte[] target = Count + bytes.Length > _data.Length ? new byte[Math.Max(_data.Length * 2, Count + bytes.Length)] : _data;
            Pending.CopyTo(target);
            (_data, _end, _start) = (target, Count, 0);
        }
        bytes.CopyTo(_data.AsSpan(_end));
        _end += bytes.Length;
    }

    public void Consume(int count)
    {
        _start += count;
        if (_start == _end) _start = _end = 0;
    }

    public void Clear() => _start = _end = 0;
}
