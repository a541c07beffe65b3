namespace MiniRun.Containers;

/// <summary>
/// docker run --env-file: one variable a line, K=V as written (no quotes are removed, no $ expanded) or K alone (taken
/// from minirun's environment, as -e K); blank lines and lines starting with # are skipped.
/// </summary>
public static class EnvFile
{
    public static IEnumerable<string> Read(string path)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NotFoundException($"open {path}: no such file or directory");
        }
        foreach (string raw in lines)
        {
            string line = raw.TrimStart();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            string name = line.Split('=', 2)[0];
            if (name.Length == 0 || name.Any(char.IsWhiteSpace))
                throw new MiniRunException($"{path}: invalid environment variable \"{raw}\": a line is K=V or K");
            yield return line;
        }
    }
}
