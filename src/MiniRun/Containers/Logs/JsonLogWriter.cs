using System.Buffers;
using MiniRun.Native;

namespace MiniRun.Containers.Logs;

/// <summary>
/// Appends a container's output to its json-file log: one entry per line and stream, a line longer than 16 KiB in
/// parts of 16 KiB (as Docker's copier splits them), a last line without "\n" at <see cref="Complete"/>. Only the
/// runner holds the file (O_APPEND, 0640, opened at the first entry: a container that prints nothing costs no file);
/// each batch of entries is one write(2), so a reader never sees half of another's. A write that fails (disk full)
/// loses those entries, never the container's output on the terminal.
/// </summary>
public sealed class JsonLogWriter(string path) : IDisposable
{
    /// <summary>Docker's bufSize in daemon/logger/copier.go: a longer line is logged in parts.</summary>
    public const int MaxEntry = 16 * 1024;

    private const uint Mode = 0x1A0; // 0640: logs may hold secrets

    private readonly PartialLine _stdout = new(), _stderr = new();
    private readonly ArrayBufferWriter<byte> _batch = new();
    private readonly byte[] _time = new byte[LogTimes.Length];
    private int _fd = -1;
    private bool _failed;

    public string Path { get; } = path;

    /// <summary>Logs what was read from <paramref name="stream"/>: its complete lines now, the rest with what follows.</summary>
    public void Write(LogStream stream, ReadOnlySpan<byte> data)
    {
        LogTimes.Format(DateTime.UtcNow, _time);
        PartialLine pending = stream == LogStream.Stderr ? _stderr : _stdout;
        while (!data.IsEmpty)
        {
            int newline = data.IndexOf((byte)'\n');
            int take = newline < 0 ? data.Length : newline + 1;
            if (pending.Length + take > MaxEntry)
            {
                // Too long for one entry: a part of 16 KiB, cut where a UTF-8 character starts.
                take = MaxEntry - pending.Length;
                take = Utf8Boundary(pending, data, take);
                pending.Append(data[..take]);
                Entry(stream, pending.Content);
                pending.Clear();
            }
            else if (newline >= 0 && pending.Length == 0)
                Entry(stream, data[..take]); // the common case: no copy
            else
            {
                pending.Append(data[..take]);
                if (newline >= 0)
                {
                    Entry(stream, pending.Content);
                    pending.Clear();
                }
            }
            data = data[take..];
        }
        Flush();
    }

    /// <summary>At end of file: the last lines without "\n" are logged as they are.</summary>
    public void Complete()
    {
        LogTimes.Format(DateTime.UtcNow, _time);
        foreach ((LogStream stream, PartialLine pending) in new[] { (LogStream.Stdout, _stdout), (LogStream.Stderr, _stderr) })
            if (pending.Length > 0)
            {
                Entry(stream, pending.Content);
                pending.Clear();
            }
        Flush();
    }

    private void Entry(LogStream stream, ReadOnlySpan<byte> content) => JsonLogLine.Write(_batch, stream, content, _time);

    private void Flush()
    {
        if (_batch.WrittenCount == 0) return;
        try
        {
            if (_failed) return;
            if (_fd < 0) _fd = OutputDescriptors.OpenAppend(Path, Mode);
            _failed = OutputDescriptors.TryWriteAll(_fd, _batch.WrittenSpan) != 0;
        }
        catch (NativeException)
        {
            _failed = true;
        }
        finally
        {
            _batch.ResetWrittenCount();
        }
    }

    /// <summary>How much of <paramref name="take"/> to log now so that no UTF-8 character is split between two entries.</summary>
    private static int Utf8Boundary(PartialLine pending, ReadOnlySpan<byte> data, int take)
    {
        for (int back = 0; back < 4 && back < take; back++)
        {
            byte b = data[take - back - 1];
            if (b < 0x80) return take; // ASCII: a boundary after it
            if (b >= 0xC0) // a lead byte: does its character end within take?
            {
                int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                return back + 1 >= length || take - back - 1 == 0 && pending.Length == 0 ? take : take - back - 1;
            }
        }
        return take;
    }

    public void Dispose()
    {
        if (_fd >= 0) ProcessControl.Close(_fd);
        _fd = -1;
    }

    /// <summary>The start of a line whose end has not been read yet.</summary>
    private sealed class PartialLine
    {
        private byte[]? _bytes; // most lines come whole: no buffer

        public int Length { get; private set; }

        public ReadOnlySpan<byte> Content => _bytes.AsSpan(0, Length);

        public void Append(ReadOnlySpan<byte> data)
        {
            _bytes ??= new byte[MaxEntry];
            data.CopyTo(_bytes.AsSpan(Length));
            Length += data.Length;
        }

        public void Clear() => Length = 0;
    }
}
