using MiniRun.Native;

namespace MiniRun.Layers;

/// <summary>
/// Reads unpacked layers (overlay form: a whiteout is a 0/0 character device, an opaque directory has
/// trusted.overlay.opaque=y; overlayfs.rst "whiteouts and opaque directories") for `minirun layers`.
/// </summary>
public static class LayerContents
{
    /// <summary>
    /// Every path of the layer in <paramref name="diffDir"/>, sorted; "changed" when a layer below has the path at all
    /// (whiteouts in between are not considered: this says what the layer's author touched).
    /// </summary>
    public static List<LayerChange> Changes(string diffDir, IReadOnlyList<string> belowDiffDirs)
    {
        var changes = new List<LayerChange>();
        foreach ((string relative, FileStatus status) in Walk(diffDir))
        {
            string path = "/" + relative;
            if (status.IsWhiteout) changes.Add(new(LayerChangeKind.Deleted, path));
            else if (status.IsDirectory && IsOpaque(Path.Combine(diffDir, relative))) changes.Add(new(LayerChangeKind.Opaque, path));
            else changes.Add(new(belowDiffDirs.Any(b => Syscalls.TryLStat(Path.Combine(b, relative)) is not null)
                ? LayerChangeKind.Changed : LayerChangeKind.Added, path));
        }
        return changes;
    }

    /// <summary>Which layer (index into <paramref name="diffDirsTopFirst"/>) the visible <paramref name="path"/> comes from.</summary>
    /// <returns>The index; <paramref name="hiddenBy"/> names the whiteout or opaque directory when a layer hides it instead.</returns>
    public static int? VisibleFrom(IReadOnlyList<string> diffDirsTopFirst, string path, out string? hiddenBy)
    {
        hiddenBy = null;
        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < diffDirsTopFirst.Count; i++)
        {
            string current = diffDirsTopFirst[i];
            for (int depth = 0; depth < parts.Length; depth++)
            {
                current = Path.Combine(current, parts[depth]);
                FileStatus? status = Syscalls.TryLStat(current);
                if (status is null) break;
                string shown = "/" + string.Join('/', parts[..(depth + 1)]);
                if (status.IsWhiteout)
                {
                    hiddenBy = $"{shown} is deleted (a whiteout) in it";
                    return i;
                }
                if (depth == parts.Length - 1) return i;
                if (!status.IsDirectory) break;
                if (IsOpaque(current) && Syscalls.TryLStat(Path.Combine(diffDirsTopFirst[i], Path.Combine(parts))) is null)
                {
                    hiddenBy = $"{shown} is opaque in it: the layers below are hidden";
                    return i;
                }
            }
        }
        return null;
    }

    public static bool IsOpaque(string dir) => Syscalls.GetXattr(dir, Whiteouts.OpaqueXattr) is { } value && value.AsSpan().SequenceEqual(Whiteouts.OpaqueValue);

    /// <summary>Every entry below <paramref name="root"/>, never following symlinks, in ordinal order.</summary>
    private static IEnumerable<(string Relative, FileStatus Status)> Walk(string root)
    {
        var entries = new List<(string, FileStatus)>();
        var pending = new Stack<string>([""]);
        while (pending.Count > 0)
        {
            string relative = pending.Pop();
            foreach (string child in Directory.EnumerateFileSystemEntries(Path.Combine(root, relative)))
            {
                string childRelative = Path.GetRelativePath(root, child);
                if (Syscalls.TryLStat(child) is not { } status) continue;
                entries.Add((childRelative, status));
                if (status.IsDirectory) pending.Push(childRelative);
            }
        }
        return entries.OrderBy(e => e.Item1, StringComparer.Ordinal);
    }
}
