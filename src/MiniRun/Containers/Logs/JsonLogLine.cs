using System.Buffers;
using System.Text;
using System.Text.Json;

namespace MiniRun.Containers.Logs;

/// <summary>
/// One line of Docker's json-file log (moby daemon/logger/jsonfilelog), the format `docker logs` reads:
/// <c>{"log":"hello\n","stream":"stdout","time":"2026-12-02T05:23:46.123456789Z"}</c>. The text is UTF-8; bytes that
/// are not are written as U+FFFD, as Docker does.
/// </summary>
public static class JsonLogLine
{
    /// <summary>Appends the entry for <paramref name="content"/>, with its "\n" after the closing brace.</summary>
    /// <param name="time">the time, formatted by <see cref="LogTimes.Format"/>.</param>
    public static void Write(IBufferWriter<byte> output, LogStream stream, ReadOnlySpan<byte> content, ReadOnlySpan<byte> time)
    {
        // Each byte escapes to at most 6 (\u00XX), an invalid one becomes 3 (U+FFFD).
        Span<byte> span = output.GetSpan(content.Length * 6 + 64 + time.Length);
        int n = Append(span, 0, "{\"log\":\""u8);
        while (!content.IsEmpty)
        {
            byte b = content[0];
            if (b >= 0x80)
            {
                if (Rune.DecodeFromUtf8(content, out _, out int length) == OperationStatus.Done)
                    n = Append(span, n, content[..length]);
                else
                    n = Append(span, n, "\uFFFD"u8);
                content = content[Math.Max(length, 1)..];
                continue;
            }
            content = content[1..];
            if (b >= 0x20 && b != '"' && b != '\\')
            {
                span[n++] = b;
                continue;
            }
            span[n++] = (byte)'\\';
            switch (b)
            {
                case (byte)'"' or (byte)'\\': span[n++] = b; break;
                case (byte)'\n': span[n++] = (byte)'n'; break;
                case (byte)'\r': span[n++] = (byte)'r'; break;
                case (byte)'\t': span[n++] = (byte)'t'; break;
                default:
                    n = Append(span, n, "u00"u8);
                    span[n++] = Hex(b >> 4);
                    span[n++] = Hex(b & 0xf);
                    break;
            }
        }
        n = Append(span, n, stream == LogStream.Stderr ? "\",\"stream\":\"stderr\",\"time\":\""u8 : "\",\"stream\":\"stdout\",\"time\":\""u8);
        n = Append(span, n, time);
        n = Append(span, n, "\"}\n"u8);
        output.Advance(n);
    }

    /// <summary>Reads one line (with its "\n" if it has one); a line that is not a json-file entry is <see cref="LogStream.Raw"/>, as it is.</summary>
    public static LogEntry Read(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty || line[0] != '{') return Raw(line);
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return Raw(line);
            byte[]? content = null;
            string? time = null;
            LogStream? stream = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isLog = reader.ValueTextEquals("log"u8), isStream = reader.ValueTextEquals("stream"u8), isTime = reader.ValueTextEquals("time"u8);
                reader.Read();
                if (isLog && reader.TokenType == JsonTokenType.String)
                {
                    byte[] buffer = new byte[reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length];
                    content = buffer[..reader.CopyString(buffer)];
                }
                else if (isStream && reader.TokenType == JsonTokenType.String)
                    stream = reader.ValueTextEquals("stderr"u8) ? LogStream.Stderr : reader.ValueTextEquals("stdout"u8) ? LogStream.Stdout : null;
                else if (isTime && reader.TokenType == JsonTokenType.String)
                    time = reader.GetString();
                else
                    reader.Skip();
            }
            return content is not null && stream is not null ? new LogEntry(stream.Value, content, time) : Raw(line);
        }
        catch (JsonException)
        {
            return Raw(line);
        }
    }

    private static LogEntry Raw(ReadOnlySpan<byte> line) => new(LogStream.Raw, line.ToArray(), null);

    private static int Append(Span<byte> span, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[at..]);
        return at + bytes.Length;
    }

    private static byte Hex(int digit) => (byte)(digit < 10 ? '0' + digit : 'a' + digit - 10);
}
