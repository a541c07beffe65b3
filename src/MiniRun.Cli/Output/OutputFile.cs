using MiniRun.Native;

namespace MiniRun.Cli.Output;

/// <summary>
/// -o FILE: written beside its destination under a temporary name and renamed, so a failure leaves no half file; none:
/// stdout. A destination that is there and is not a regular file (/dev/null, a fifo, /dev/stdout's terminal or pipe) is
/// written into: renamed over, the host's /dev/null would become a regular file.
/// </summary>
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
        if (Syscalls.TryStat(full) is { IsRegular: false, IsDirectory: false }) // stat: /dev/stdout is a link to what it is
        {
            using var device = new FileStream(full, FileMode.Open, FileAccess.Write);
            write(device);
            return;
        }
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
