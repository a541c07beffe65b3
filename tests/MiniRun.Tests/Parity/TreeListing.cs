namespace MiniRun.Tests.Parity;

/// <summary>
/// A listing of a container's whole file tree, made INSIDE the container with nothing but busybox, so
/// minirun and Docker are judged by the same program: one line per path with its type, mode, owner,
/// and for non-directories link count, size, symlink target and the md5 of regular files.
/// </summary>
public static class TreeListing
{
    // What the runtime itself provides (mounts, the init layer's files) is not the image's tree.
    // Directory link counts and sizes depend on the file system (overlay reports 1 for merged dirs), so
    // only the owners and modes of directories are compared.
    private const string Excluded =
        @"\( -path /proc -o -path /sys -o -path /dev -o -path /etc/hosts -o -path /etc/hostname" +
        @" -o -path /etc/resolv.conf -o -path /etc/mtab -o -path /.dockerenv \) -prune -o";

    /// <summary>The shell script to run as `/bin/sh -c SCRIPT` in the container.</summary>
    public const string Script =
        "export PATH=/usr/sbin:/usr/bin:/sbin:/bin\n" +
        "find / -xdev " + Excluded + " -print0 | xargs -0 stat -c '%n|%F|%a|%u|%g|%h|%s|%N'\n" +
        "echo " + Md5Marker + "\n" +
        "find / -xdev " + Excluded + " -type f -print0 | xargs -0 md5sum\n";

    private const string Md5Marker = "--- md5sum";

    /// <summary>The command line (after the image) that prints the listing.</summary>
    public static string[] Command => ["/bin/sh", "-c", Script];

    /// <summary>Turns the script's output into sorted lines such as `/suid regular file mode=4755 uid=1000 gid=0 links=1 size=2 md5=…`.</summary>
    public static IReadOnlyList<string> Parse(string output)
    {
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int marker = Array.IndexOf(lines, Md5Marker);
        if (marker < 0) throw new FormatException($"not a tree listing (no '{Md5Marker}' line):\n{output}");

        var md5ByPath = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in lines[(marker + 1)..])
        {
            int gap = line.IndexOf("  ", StringComparison.Ordinal);   // md5sum prints "HASH  PATH"
            md5ByPath[line[(gap + 2)..]] = line[..gap];
        }

        var entries = new List<string>();
        foreach (string line in lines[..marker])
        {
            string[] f = line.Split('|');
            if (f.Length < 8) throw new FormatException($"unexpected stat line: {line}");
            // busybox says "regular empty file" for size 0; size= already tells.
            string path = f[0], type = f[1] == "regular empty file" ? "regular file" : f[1];
            string entry = $"{path} {type} mode={f[2]} uid={f[3]} gid={f[4]}";
            if (type != "directory") entry += $" links={f[5]} size={f[6]}";
            if (type == "symbolic link") entry += $" -> {SymlinkTarget(string.Join('|', f[7..]))}";
            if (md5ByPath.TryGetValue(path, out string? md5)) entry += $" md5={md5}";
            entries.Add(entry);
        }
        entries.Sort(StringComparer.Ordinal);
        return entries;
    }

    /// <summary>The line for <paramref name="path"/>, or null when the listing has none.</summary>
    public static string? Find(IReadOnlyList<string> listing, string path) =>
        listing.FirstOrDefault(l => l.StartsWith(path + " ", StringComparison.Ordinal));

    /// <summary>Empty when equal; otherwise the lines only one side has, for a readable failure.</summary>
    public static string Difference(IReadOnlyList<string> expected, IReadOnlyList<string> actual,
        string expectedName = "docker", string actualName = "minirun")
    {
        var onlyExpected = expected.Except(actual, StringComparer.Ordinal).ToList();
        var onlyActual = actual.Except(expected, StringComparer.Ordinal).ToList();
        if (onlyExpected.Count == 0 && onlyActual.Count == 0) return "";
        return $"{onlyExpected.Count} line(s) only in {expectedName}, {onlyActual.Count} only in {actualName}\n" +
               $"only in {expectedName}:\n  " + string.Join("\n  ", onlyExpected.Take(40)) + "\n" +
               $"only in {actualName}:\n  " + string.Join("\n  ", onlyActual.Take(40));
    }

    // busybox prints %N of a symlink as 'PATH' -> 'TARGET'.
    private static string SymlinkTarget(string quoted)
    {
        int arrow = quoted.IndexOf("' -> '", StringComparison.Ordinal);
        return arrow < 0 ? quoted : quoted[(arrow + 6)..].TrimEnd('\'');
    }
}
