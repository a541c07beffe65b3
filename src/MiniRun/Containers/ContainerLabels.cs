namespace MiniRun.Containers;

/// <summary>
/// docker run -l/--label K=V and --label-file: checked as Docker's CLI checks them (a name, without white space; "K"
/// alone is K with an empty value), and laid over the image's labels (a label given wins), as the daemon merges them.
/// </summary>
public static class ContainerLabels
{
    /// <summary>The flag's value, if it names a label.</summary>
    public static string Check(string label)
    {
        string name = label.Split('=', 2)[0].TrimStart(); // only for the check: " K=V" is the label " K", as Docker keeps it
        if (name.Length == 0) throw new MiniRunException($"invalid argument \"{label}\" for \"-l, --label\" flag: invalid label '{label}': empty name");
        if (name.Any(char.IsWhiteSpace)) throw new MiniRunException($"invalid argument \"{label}\" for \"-l, --label\" flag: label '{name}' contains whitespaces");
        return label;
    }

    /// <summary>
    /// A --label-file: its K=V lines, read as an --env-file is (blank lines and # comments skipped); a line without "="
    /// is dropped, as Docker's CLI drops it (it has no environment to take a label's value from).
    /// </summary>
    public static IEnumerable<string> ReadFile(string path) => EnvFile.Read(path).Where(line => line.Contains('='));

    /// <summary>The image's labels, then each given one over them (the last of a name wins), sorted by name as Docker prints them.</summary>
    public static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string>? image, IReadOnlyList<string> given)
    {
        if (given.Count == 0 && (image is null || image.Count == 0)) return new Dictionary<string, string>(StringComparer.Ordinal); // the usual run: nothing to sort
        var labels = new SortedDictionary<string, string>(image?.ToDictionary() ?? [], StringComparer.Ordinal);
        foreach (string label in given)
        {
            string[] parts = Check(label).Split('=', 2);
            labels[parts[0]] = parts.Length == 2 ? parts[1] : "";
        }
        return new Dictionary<string, string>(labels, StringComparer.Ordinal);
    }
}
