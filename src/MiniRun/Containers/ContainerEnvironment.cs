namespace MiniRun.Containers;

/// <summary>The command's environment, composed as Docker composes it.</summary>
public static class ContainerEnvironment
{
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>
    /// PATH and HOSTNAME first, then the image's Env and the user's -e, each replacing an earlier value of the same
    /// name; "-e NAME" alone takes NAME from minirun's own environment (dropped when unset).
    /// </summary>
    /// <param name="tty">-t: TERM=xterm unless the image or the user sets TERM, as Docker's daemon adds it.</param>
    public static List<string> Compose(IEnumerable<string>? imageEnv, IEnumerable<string> userEnv, string hostname, bool tty = false)
    {
        var env = new List<string> { DefaultPath, "HOSTNAME=" + hostname };
        if (tty) env.Add("TERM=xterm");
        foreach (string entry in imageEnv ?? []) Set(env, entry);
        foreach (string entry in userEnv)
        {
            if (entry.Contains('=')) Set(env, entry);
            else if (Environment.GetEnvironmentVariable(entry) is { } value) Set(env, $"{entry}={value}");
        }
        return env;
    }

    /// <summary>HOME comes from the user's passwd entry unless the environment already sets it (runc does the same).</summary>
    public static List<string> WithHome(List<string> env, string home)
    {
        if (!env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal))) env.Add("HOME=" + home);
        return env;
    }

    public static string? Get(IEnumerable<string> env, string name) =>
        env.LastOrDefault(e => e.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];

    private static void Set(List<string> env, string entry)
    {
        int eq = entry.IndexOf('=');
        string prefix = eq < 0 ? entry + "=" : entry[..(eq + 1)];
        int index = env.FindIndex(e => e.StartsWith(prefix, StringComparison.Ordinal));
        if (index >= 0) env[index] = entry;
        else env.Add(entry);
    }
}
