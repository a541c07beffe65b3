namespace MiniRun.Native;

/// <summary>execvp(3)'s PATH search, done against the container's PATH after entering its root.</summary>
public static class ExecutableSearch
{
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
