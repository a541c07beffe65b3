namespace MiniRun.Cli.Output;

/// <summary>-o FILE: written beside its destination under a temporary name and renamed, so a failure leaves no half file; none: stdout.</summary>
public static class OutputFile
{
    public static void Write(string? path, Action<Stream> write)
    {
        if (path is null or "-")
        {
            if (!Console.IsOutputRedirected) throw new MiniRunException("refusing to write a tar archive to a terminal: use -o FILE or redirect stdout");
            using Stream stdout = Console.OpenStandardOutput();
            write(stdout);
            return;
        }
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                write(stream);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
