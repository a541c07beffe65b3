namespace MiniRun.Layers;

/// <summary>
/// Lexical rules for entry names in a layer, as Docker applies them inside its chroot of the layer directory
/// (filepath.Clean, then joined to "/"): a leading "/" and a <c>..</c> above the root stay at the root, as they do for
/// a chrooted process. The result is a clean relative path ("a/b", "" for the root) or a one-line reason for refusal.
/// Symlinks along the way are the unpacker's job (it resolves them inside the layer root).
/// </summary>
public static class SafePath
{
    /// <summary>Cleans <paramref name="name"/> ("./a//b/" → "a/b", "a/../b" → "b", "/../etc/x" → "etc/x"); false with a reason when it is no name.</summary>
    public static bool TryNormalize(string name, out string relative, out string problem)
    {
        relative = "";
        problem = "";
        if (name.Length == 0) { problem = "empty name"; return false; }
        if (name.Contains('\0')) { problem = "name contains a NUL byte"; return false; }
        // Fast path: most names in real layers are clean, or clean behind a "./" and before a directory's "/".
        ReadOnlySpan<char> core = name;
        while (core.StartsWith("./")) core = core[2..];
        if (core.EndsWith('/')) core = core[..^1];
        if (!NeedsCleaning(core))
        {
            relative = core.Length == name.Length ? name : core.ToString();
            return true;
        }

        var parts = new List<string>();
        foreach (string part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..")
            {
                if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); // "/.." is "/"
                continue;
            }
            parts.Add(part);
        }
        relative = string.Join('/', parts);
        return true;
    }

    /// <summary>
    /// Go's filepath.Clean of a name as the tar spells it: what Docker's tar-split compares to refuse a layer that names
    /// a path twice ("./a/" and "a" are one name; "/a" and "a", or "../a" and "a", are not, though they land on one path).
    /// </summary>
    public static string CleanAsGo(string name)
    {
        bool rooted = name.StartsWith('/');
        var parts = new List<string>();
        int climbs = 0;
        foreach (string part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part != "..") parts.Add(part);
            else if (parts.Count > 0) parts.RemoveAt(parts.Count - 1);
            else if (!rooted) climbs++;
        }
        string joined = string.Join('/', Enumerable.Repeat("..", climbs).Concat(parts));
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    /// <summary>The directory part of a clean relative path ("" for a top-level name).</summary>
    public static string Parent(string relative)
    {
        int slash = relative.LastIndexOf('/');
        return slash < 0 ? "" : relative[..slash];
    }

    /// <summary>The last component of a clean relative path.</summary>
    public static string FileName(string relative) => relative[(relative.LastIndexOf('/') + 1)..];

    private static bool NeedsCleaning(ReadOnlySpan<char> name)
    {
        if (name.StartsWith('/') || name.EndsWith('/') || name.Contains("//", StringComparison.Ordinal)) return true;
        if (name is "." or ".." || name.StartsWith("./") || name.StartsWith("../")) return true;
        return name.Contains("/./", StringComparison.Ordinal) || name.Contains("/../", StringComparison.Ordinal) ||
               name.EndsWith("/.") || name.EndsWith("/..");
    }
}
