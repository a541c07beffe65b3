using System.Globalization;

namespace MiniRun.Containers.Logs;

/// <summary>
/// The times of the log: written as RFC 3339 with nine fractional digits in UTC (Go's RFC3339Nano, fixed width, as
/// `docker logs -t` prints them), and the bounds `logs --since` and `--until` accept, as Docker does: an RFC 3339 time
/// or date (local time without a zone), Unix seconds (with a fraction), or a Go duration before now (10m, 1h30m).
/// </summary>
public static class LogTimes
{
    /// <summary>The length of <see cref="Format"/>'s output: 2026-12-02T05:23:46.123456700Z.</summary>
    public const int Length = 30;

    /// <summary>
    /// Writes <paramref name="utc"/> as UTF-8 (its 100 ns ticks, then "00"), digit by digit: no format string to parse
    /// and no culture data to load on a container's start.
    /// </summary>
    public static void Format(DateTime utc, Span<byte> destination)
    {
        utc.Deconstruct(out int year, out int month, out int day);
        Digits(destination[..4], year);
        destination[4] = (byte)'-';
        Digits(destination.Slice(5, 2), month);
        destination[7] = (byte)'-';
        Digits(destination.Slice(8, 2), day);
        destination[10] = (byte)'T';
        Digits(destination.Slice(11, 2), utc.Hour);
        destination[13] = (byte)':';
        Digits(destination.Slice(14, 2), utc.Minute);
        destination[16] = (byte)':';
        Digits(destination.Slice(17, 2), utc.Second);
        destination[19] = (byte)'.';
        Digits(destination.Slice(20, 7), (int)(utc.Ticks % TimeSpan.TicksPerSecond));
        "00Z"u8.CopyTo(destination[27..]);
    }

    private static void Digits(Span<byte> destination, int value)
    {
        for (int i = destination.Length - 1; i >= 0; i--, value /= 10) destination[i] = (byte)('0' + value % 10);
    }

    /// <summary>Parses an entry's time (RFC 3339, up to nine fractional digits: .NET reads seven).</summary>
    public static bool TryParse(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(TrimFraction(text), CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out time);

    /// <summary>A --since or --until value; <paramref name="flag"/> names it in the error.</summary>
    public static DateTimeOffset ParseBound(string value, DateTimeOffset now, string flag)
    {
        if (TryParseDuration(value, out TimeSpan ago)) return now - ago;
        if (value.Length > 0 && value.All(c => char.IsAsciiDigit(c) || c == '.') &&
            decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal seconds))
            return DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
        if (TryParse(value, out DateTimeOffset time)) return time;
        throw new MiniRunException($"invalid value \"{value}\" for {flag}: expected an RFC 3339 time (2026-12-02T05:23:46Z), Unix seconds, or a duration (10m, 1h30m)");
    }

    /// <summary>Go's time.ParseDuration: numbers with units (ns, us, µs, ms, s, m, h), e.g. 1h30m, 1.5s.</summary>
    private static bool TryParseDuration(string value, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        int i = 0;
        if (value.Length == 0) return false;
        while (i < value.Length)
        {
            int start = i;
            while (i < value.Length && (char.IsAsciiDigit(value[i]) || value[i] == '.')) i++;
            if (!double.TryParse(value.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
                return false;
            int unitStart = i;
            while (i < value.Length && !char.IsAsciiDigit(value[i]) && value[i] != '.') i++;
            double ticksPerUnit = value.AsSpan(unitStart, i - unitStart) switch
            {
                "ns" => 0.01,
                "us" or "µs" => 10,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => -1,
            };
            if (ticksPerUnit < 0) return false;
            duration += TimeSpan.FromTicks((long)(number * ticksPerUnit));
        }
        return true;
    }

    /// <summary>Drops fractional digits after the seventh (100 ns), which DateTimeOffset cannot read.</summary>
    private static string TrimFraction(string text)
    {
        int dot = text.IndexOf('.');
        if (dot < 0) return text;
        int end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
        return end - dot - 1 <= 7 ? text : string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
    }
}
