namespace MiniRun.Containers;

/// <summary>
/// docker run --ulimit NAME=SOFT[:HARD] (-1: unlimited; no HARD: the same as SOFT), with Docker's names, kept in the
/// record as given (normalised) and written into config.json's process.rlimits (RLIMIT_NOFILE…).
/// </summary>
public static class Ulimits
{
    private static readonly string[] Names =
        ["as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"];

    /// <summary>The flag's value, checked and normalised to NAME=SOFT:HARD.</summary>
    public static string Normalize(string flag)
    {
        (string name, ulong soft, ulong hard) = Parse(flag);
        return $"{name}={Text(soft)}:{Text(hard)}";
    }

    /// <summary>
    /// Rootless: a hard limit above this process's own is refused in one line (setrlimit(2) raises a hard limit only
    /// with CAP_SYS_RESOURCE of the host's user namespace; it would fail inside as "setrlimit resource 7: EPERM").
    /// <paramref name="procLimits"/> is /proc/self/limits, whose rows are in setrlimit's units.
    /// </summary>
    public static void CheckWithinOwnLimits(string normalized, string procLimits)
    {
        (string name, _, ulong hard) = Parse(normalized);
        string row = ProcRows[Array.IndexOf(Names, name)];
        foreach (string line in procLimits.Split('\n'))
        {
            if (!line.StartsWith(row + " ", StringComparison.Ordinal)) continue;
            string[] columns = line[row.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length < 2 || columns[1] == "unlimited"
                || !ulong.TryParse(columns[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong own) || hard <= own)
                return;
            throw new MiniRunException($"--ulimit {normalized}: the hard limit is above your own ({columns[1]}), which a rootless container cannot raise " +
                                       $"(that needs CAP_SYS_RESOURCE on the host); use at most {columns[1]}, or run as root");
        }
    }

    /// <summary>The rows of /proc/self/limits (fs/proc/base.c lnames), in the order of <see cref="Names"/>.</summary>
    private static readonly string[] ProcRows =
        ["Max address space", "Max core file size", "Max cpu time", "Max data size", "Max file size", "Max file locks", "Max locked memory",
         "Max msgqueue size", "Max nice priority", "Max open files", "Max processes", "Max resident set", "Max realtime priority",
         "Max realtime timeout", "Max pending signals", "Max stack size"];

    /// <summary>The rlimit config.json names (RLIMIT_NOFILE), its soft and its hard limit.</summary>
    public static (string Type, ulong Soft, ulong Hard) ToRlimit(string normalized)
    {
        (string name, ulong soft, ulong hard) = Parse(normalized);
        return ("RLIMIT_" + name.ToUpperInvariant(), soft, hard);
    }

    private static (string Name, ulong Soft, ulong Hard) Parse(string flag)
    {
        int eq = flag.IndexOf('=');
        string name = eq < 0 ? flag : flag[..eq];
        if (eq < 0 || !Names.Contains(name))
            throw new MiniRunException($"invalid argument \"{flag}\" for \"--ulimit\" flag: expected NAME=SOFT[:HARD] with NAME one of {string.Join(", ", Names)}");
        string[] limits = flag[(eq + 1)..].Split(':');
        if (limits.Length > 2) throw new MiniRunException($"invalid argument \"{flag}\" for \"--ulimit\" flag: too many limit value arguments");
        ulong soft = Value(limits[0], flag), hard = limits.Length == 2 ? Value(limits[1], flag) : soft;
        if (soft > hard) throw new MiniRunException($"invalid argument \"{flag}\" for \"--ulimit\" flag: ulimit soft limit must be less than or equal to hard limit");
        return (name, soft, hard);
    }

    private static ulong Value(string text, string flag) =>
        text == "-1" ? ulong.MaxValue
        : ulong.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong value) ? value
        : throw new MiniRunException($"invalid argument \"{flag}\" for \"--ulimit\" flag: \"{text}\" is not a number (or -1 for unlimited)");

    private static string Text(ulong value) => value == ulong.MaxValue ? "-1" : value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
