using System.Globalization;

namespace MiniRun.Rootless;

/// <summary>A range of subordinate IDs on the host: <paramref name="Count"/> IDs from <paramref name="Start"/>.</summary>
public sealed record SubordinateRange(uint Start, uint Count);

/// <summary>
/// /etc/subuid and /etc/subgid (subuid(5)): lines <c>NAME:START:COUNT</c> or <c>UID:START:COUNT</c>, the host IDs a user
/// may map into a user namespace through newuidmap(1) and newgidmap(1). The user's first range is the one used, as
/// Podman uses the first when it maps a single range.
/// </summary>
public static class SubordinateIds
{
    public const string UidFile = "/etc/subuid", GidFile = "/etc/subgid";

    /// <summary>The first range of the user (by name or by numeric ID) in a subuid/subgid file's text, or null.</summary>
    public static SubordinateRange? FirstRange(string text, string? userName, int id)
    {
        string number = id.ToString(CultureInfo.InvariantCulture);
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            string[] fields = line.Split(':');
            if (fields.Length != 3 || !(fields[0] == userName || fields[0] == number)) continue;
            if (!uint.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint start)
                || !uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint count) || count == 0) continue;
            return new SubordinateRange(start, count);
        }
        return null;
    }

    /// <summary>The name of <paramref name="uid"/> in /etc/passwd's text (passwd(5): NAME:PASSWORD:UID:...), or null.</summary>
    public static string? UserName(string passwd, int uid)
    {
        string number = uid.ToString(CultureInfo.InvariantCulture);
        foreach (string line in passwd.Split('\n'))
        {
            string[] fields = line.Split(':');
            if (fields.Length > 3 && fields[2] == number) return fields[0];
        }
        return null;
    }

    /// <summary>The file's text, or "" when it is missing or unreadable (no ranges then).</summary>
    public static string ReadOrEmpty(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }
}
