namespace MiniRun.Native;

/// <summary>execvp(3)'s PATH search, done against the container's PATH after entering its root, or this process's for a host program.</summary>
public static class ExecutableSearch
{
    /// <summary>A program of the host (iptables, pasta, a credential helper): this process's PATH, then <paramref name="alsoIn"/>
    /// (sbin directories a user's PATH may lack); null when none holds it.</summary>
    public static string? FindOnHost(string program, string alsoIn = "")
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path)) return Find(program, []);
        return Find(program, [$"PATH={path}{(alsoIn.Length > 0 ? ":" + alsoIn : "")}"]);
    }

    /// <summary>The command itself when it has a '/', else the first PATH entry holding it; null when none does.</summary>
    public static string? Find(string command, IEnumerable<string> env)
    {
        if (command.Length == 0) return null;
        if (command.Contains('/')) return command;
        string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (string variable in env) // the last PATH= wins, as in the environment execve passes on
            if (variable.StartsWith("PATH=", StringComparison.Ordinal)) path = variable[5..];
        foreach (string dir in path.Split(':'))
        {
            string candidate = Path.Combine(dir.Length == 0 ? "." : dir, command);
            // stat follows symlinks here on purpose: /bin/sh -> busybox is how most images ship their shell.
            // One statx per candidate, not File.Exists and Directory.Exists (two, and a path normalised for each).
            if (Syscalls.TryStat(candidate) is { IsDirectory: false }) return candidate;
        }
        return null;
    }
}
