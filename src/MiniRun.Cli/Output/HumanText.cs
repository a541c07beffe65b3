using System.Globalization;

namespace MiniRun.Cli.Output;

/// <summary>Durations and sizes worded as Docker words them (go-units HumanDuration and HumanSize).</summary>
public static class HumanText
{
    public static string Duration(TimeSpan d)
    {
        double seconds = d.TotalSeconds;
        if (seconds < 1) return "Less than a second";
        if (seconds < 2) return "1 second";
        if (seconds < 60) return $"{(int)seconds} seconds";
        double minutes = d.TotalMinutes;
        if ((int)minutes == 1) return "About a minute";
        if (minutes < 60) return $"{(int)minutes} minutes";
        double hours = d.TotalHours;
        if ((int)Math.Round(hours) == 1) return "About an hour";
        if (hours < 48) return $"{(int)hours} hours";
        if (hours < 24 * 7 * 2) return $"{(int)(hours / 24)} days";
        if (hours < 24 * 30 * 2) return $"{(int)(hours / 24 / 7)} weeks";
        if (hours < 24 * 365 * 2) return $"{(int)(hours / 24 / 30)} months";
        return $"{(int)(hours / 24 / 365)} years";
    }

    public static string Ago(DateTimeOffset when) => Duration(DateTimeOffset.UtcNow - when) + " ago";

    /// <summary>Decimal units with three significant digits: "4.26MB" (go-units HumanSizeWithPrecision(…, 3)).</summary>
    public static string Size(long bytes) => Scaled(bytes, 1000, ["B", "kB", "MB", "GB", "TB"], "G3");

    /// <summary>Decimal units with four significant digits: "4.258MB" (go-units HumanSize, `images`' VirtualSize).</summary>
    public static string SizeFourDigits(long bytes) => Scaled(bytes, 1000, ["B", "kB", "MB", "GB", "TB"], "G4");

    /// <summary>Binary units with four significant digits, as `docker stats` shows memory (go-units BytesSize): "620KiB", "23.54GiB".</summary>
    public static string BinarySize(long bytes) => Scaled(bytes, 1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB"], "G4");

    private static string Scaled(long bytes, int step, string[] units, string format)
    {
        double value = bytes;
        int unit = 0;
        while (value >= step && unit < units.Length - 1)
        {
            value /= step;
            unit++;
        }
        return value.ToString(format, CultureInfo.InvariantCulture) + units[unit];
    }
}
