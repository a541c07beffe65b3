namespace MiniRun.Containers.Logs;

/// <summary>
/// Reads a json-file log line by line as it grows: <see cref="ReadAvailable"/> gives the entries of the complete lines
/// written so far, and keeps a line still being written for the next call (the writer appends whole lines, but a
/// read may land in the middle of a write).
/// </summary>
public sealed class JsonLogReader(Stream log)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private byte[] _partial = [];

    /// <param name="atEnd">nothing more will be written: a last line without "\n" (an older raw log) is given too.</param>
    public IEnumerable<LogEntry> ReadAvailable(bool atEnd)
    {
        while (true)
        {
            int n = log.Read(_buffer, 0, _buffer.Length);
            if (n == 0) break;
            int start = 0;
            for (int newline; (newline = Array.IndexOf(_buffer, (byte)'\n', start, n - start)) >= 0; start = newline + 1)
            {
                ReadOnlySpan<byte> line = _buffer.AsSpan(start, newline + 1 - start);
                if (_partial.Length > 0)
                {
                    byte[] joined = [.. _partial, .. line];
                    _partial = [];
                    yield return JsonLogLine.Read(joined);
                }
                else
                    yield return JsonLogLine.Read(line);
            }
            if (start < n) _partial = [.. _partial, .. _buffer.AsSpan(start, n - start)];
        }
        if (atEnd && _partial.Length > 0)
        {
            LogEntry last = JsonLogLine.Read(_partial);
            _partial = [];
            yield return last;
        }
    }
}
