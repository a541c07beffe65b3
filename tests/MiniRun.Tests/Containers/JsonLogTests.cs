using System.Text;
using System.Text.Json;
using MiniRun.Containers.Logs;

namespace MiniRun.Tests.Containers;

/// <summary>The json-file log as data, without root: what the writer puts in the file and what the reader gets back.</summary>
public class JsonLogTests
{
    private static (TempDirectory Dir, string Path) NewLog()
    {
        var dir = new TempDirectory("minirun-log");
        return (dir, dir.Combine("container.log"));
    }

    private static List<LogEntry> ReadBack(string path)
    {
        using var file = File.OpenRead(path);
        return new JsonLogReader(file).ReadAvailable(atEnd: true).ToList();
    }

    [Fact]
    public void Write_LinesOfBothStreams_OneDockerEntryPerLine()
    {
        (TempDirectory dir, string path) = NewLog();
        using (dir)
        {
            using (var log = new JsonLogWriter(path))
            {
                log.Write(LogStream.Stdout, "one\ntw"u8);
                log.Write(LogStream.Stderr, "err \"quoted\" \\ \t\u0001\n"u8);
                log.Write(LogStream.Stdout, "o\nlast"u8);
                log.Complete();
            }
            string[] lines = File.ReadAllLines(path);
            Assert.Equal(4, lines.Length);
            Assert.Matches("""^\{"log":"one\\n","stream":"stdout","time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z"\}$""", lines[0]);
            Assert.StartsWith("""{"log":"err \"quoted\" \\ \t\u0001\n","stream":"stderr",""", lines[1]);
            foreach (string line in lines) JsonDocument.Parse(line).Dispose(); // each one valid JSON

            List<LogEntry> entries = ReadBack(path);
            Assert.Equal(["one\n", "err \"quoted\" \\ \t\u0001\n", "two\n", "last"], entries.Select(e => Encoding.UTF8.GetString(e.Content)));
            Assert.Equal([LogStream.Stdout, LogStream.Stderr, LogStream.Stdout, LogStream.Stdout], entries.Select(e => e.Stream));
        }
    }

    [Fact]
    public void Write_LongLine_IsSplitAt16KiBWithoutCuttingACharacter()
    {
        (TempDirectory dir, string path) = NewLog();
        using (dir)
        {
            // 'é' is two bytes: at an odd offset, byte 16384 falls inside one.
            string text = "x" + string.Concat(Enumerable.Repeat("é", 20000)) + "\n";
            using (var log = new JsonLogWriter(path))
            {
                byte[] bytes = Encoding.UTF8.GetBytes(text);
                for (int i = 0; i < bytes.Length; i += 1000) log.Write(LogStream.Stdout, bytes.AsSpan(i, Math.Min(1000, bytes.Length - i)));
                log.Complete();
            }
            List<LogEntry> entries = ReadBack(path);
            Assert.Equal(3, entries.Count);
            Assert.All(entries, e => Assert.InRange(e.Content.Length, 1, JsonLogWriter.MaxEntry));
            Assert.Equal(text, string.Concat(entries.Select(e => Encoding.UTF8.GetString(e.Content))));
            Assert.DoesNotContain("\uFFFD", File.ReadAllText(path));
        }
    }

    [Fact]
    public void Write_InvalidUtf8_BecomesReplacementCharacter()
    {
        (TempDirectory dir, string path) = NewLog();
        using (dir)
        {
            using (var log = new JsonLogWriter(path))
                log.Write(LogStream.Stdout, [(byte)'a', 0xff, (byte)'b', (byte)'\n']);
            Assert.Equal("a\uFFFDb\n", Encoding.UTF8.GetString(ReadBack(path).Single().Content));
        }
    }

    [Fact]
    public void Write_NoOutput_MakesNoFile()
    {
        (TempDirectory dir, string path) = NewLog();
        using (dir)
        {
            using (var log = new JsonLogWriter(path)) log.Complete();
            Assert.False(File.Exists(path));
        }
    }

    [Fact]
    public void Read_RawAndTruncatedLines_AreRawAsWritten()
    {
        (TempDirectory dir, string path) = NewLog();
        using (dir)
        {
            File.WriteAllText(path, "plain\n{\"log\":\"cut\n{\"other\":1}\nend");
            List<LogEntry> entries = ReadBack(path);
            Assert.All(entries, e => Assert.Equal(LogStream.Raw, e.Stream));
            Assert.Equal("plain\n{\"log\":\"cut\n{\"other\":1}\nend", string.Concat(entries.Select(e => Encoding.UTF8.GetString(e.Content))));
        }
    }

    [Fact]
    public void ReadAvailable_LineBeingWritten_WaitsForItsEnd()
    {
        using var stream = new MemoryStream();
        var reader = new JsonLogReader(stream);
        stream.Write("{\"log\":\"a\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-02T05:23:46.123456789Z\"}\n{\"log\":\"b"u8);
        stream.Position = 0;
        Assert.Equal(["a\n"], reader.ReadAvailable(atEnd: false).Select(e => Encoding.UTF8.GetString(e.Content)));
        long at = stream.Position;
        stream.Write("\\n\",\"stream\":\"stderr\",\"time\":\"2026-12-02T05:23:47Z\"}\n"u8);
        stream.Position = at;
        LogEntry second = reader.ReadAvailable(atEnd: false).Single();
        Assert.Equal((LogStream.Stderr, "b\n", "2026-12-02T05:23:47Z"), (second.Stream, Encoding.UTF8.GetString(second.Content), second.Time));
    }

    [Theory]
    [InlineData("2026-12-02T05:23:46Z", "2026-12-02T05:23:46.0000000+00:00")]
    [InlineData("2026-12-02T05:23:46.123456789Z", "2026-12-02T05:23:46.1234567+00:00")]
    [InlineData("2026-12-02T07:23:46+02:00", "2026-12-02T05:23:46.0000000+00:00")]
    [InlineData("1780377826", "2026-06-02T05:23:46.0000000+00:00")]
    [InlineData("1780377826.5", "2026-06-02T05:23:46.5000000+00:00")]
    [InlineData("10m", "2026-12-02T05:13:46.0000000+00:00")]
    [InlineData("1h30m", "2026-12-02T03:53:46.0000000+00:00")]
    [InlineData("1.5s", "2026-12-02T05:23:44.5000000+00:00")]
    public void ParseBound_DockerForms_GiveTheTime(string value, string expected)
    {
        var now = new DateTimeOffset(2026, 12, 2, 5, 23, 46, TimeSpan.Zero);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), LogTimes.ParseBound(value, now, "--since"));
    }

    [Fact]
    public void Format_Time_IsRfc3339WithNineDigitsInUtc()
    {
        byte[] text = new byte[LogTimes.Length];
        LogTimes.Format(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567), text);
        Assert.Equal("2026-01-02T03:04:05.123456700Z", Encoding.ASCII.GetString(text));
        LogTimes.Format(new DateTime(987, 12, 31, 23, 59, 59, DateTimeKind.Utc), text);
        Assert.Equal("0987-12-31T23:59:59.000000000Z", Encoding.ASCII.GetString(text));
    }

    [Fact]
    public void ParseBound_Nonsense_IsAnErrorNamingTheFlag()
    {
        var error = Assert.Throws<MiniRunException>(() => LogTimes.ParseBound("soon", DateTimeOffset.UtcNow, "--until"));
        Assert.Contains("--until", error.Message);
    }
}
