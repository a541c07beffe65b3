using System.Globalization;

namespace MiniRun.Common;

/// <summary>Docker's memory sizes (go-units RAMInBytes): a number with an optional unit b, k, m, g, t (binary multiples), "kb"/"kib" alike.</summary>
public static class ByteSize
{
    public static long Parse(string text, string flag)
    {
        string s = text.Trim().ToLowerInvariant();
        int end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.')) end++;
        string unit = s[end..];
        if (unit.EndsWith("ib", StringComparison.Ordinal)) unit = unit[..^2];
        else if (unit.Length > 1 && unit.EndsWith('b')) unit = unit[..^1];
        long multiplier = unit switch
        {
            "" or "b" => 1,
            "k" => 1L << 10,
            "m" => 1L << 20,
            "g" => 1L << 30,
            "t" => 1L << 40,
            _ => 0,
        };
        if (end == 0 || multiplier == 0 || !double.TryParse(s[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
            throw new MiniRunException($"invalid size for {flag}: \"{text}\" (use a number with an optional unit b, k, m, g, e.g. 32m)");
        return (long)(value * multiplier);
    }
}
