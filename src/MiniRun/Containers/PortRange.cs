namespace MiniRun.Containers;

/// <summary>
/// PORT or FIRST-LAST, ports 0 to 65535, as go-connections' nat.ParsePortRange reads them for Docker's -p and --expose
/// (only the first two parts of 1-2-3 count, as there). The error texts are Go's: --expose repeats them to the user.
/// </summary>
public readonly record struct PortRange(int First, int Last)
{
    public int Count => Last - First + 1;

    public override string ToString() => First == Last ? $"{First}" : $"{First}-{Last}";

    public static PortRange Parse(string text)
    {
        if (text.Length == 0) throw new FormatException("empty string specified for ports");
        string[] parts = text.Split('-');
        if (parts.Length == 1)
        {
            int port = ParsePort(text);
            return new PortRange(port, port);
        }
        int first = ParsePort(parts[0]), last = ParsePort(parts[1]);
        return last < first ? throw new FormatException($"invalid range specified for port: {text}") : new PortRange(first, last);
    }

    /// <summary>Go's strconv.ParseUint(text, 10, 16): ASCII digits only (no sign, no space), at most 65535; its error texts.</summary>
    private static int ParsePort(string text)
    {
        if (text.Length == 0) throw Syntax(text);
        int value = 0;
        foreach (char c in text)
        {
            if (c is < '0' or > '9') throw Syntax(text);
            value = value * 10 + (c - '0');
            if (value > ushort.MaxValue) throw new FormatException($"strconv.ParseUint: parsing {Quote(text)}: value out of range");
        }
        return value;
    }

    private static FormatException Syntax(string text) => new($"strconv.ParseUint: parsing {Quote(text)}: invalid syntax");

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
