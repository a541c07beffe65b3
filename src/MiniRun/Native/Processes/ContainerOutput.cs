
namespace MiniRun.Native;

/// <summary>
/// A container's stdout and stderr as two pipes: the init stage gets the write ends as its fds 1 and 2, the runner
/// reads the other ends and copies them to the log (and, in the foreground, to its own stdout and stderr), as
/// containerd's shim and conmon do. So the container holds no descriptor of the log file: it cannot reopen it through
/// /proc/1/fd/1 to rewrite, seek in or truncate what was logged. Stdin is not piped.
/// </summary>
public sealed class ContainerOutput : IDisposable
{
    private int _stdoutWrite, _stderrWrite;

    private ContainerOutput(int stdoutRead, int stdoutWrite, int stderrRead, int stderrWrite, bool echo)
    {
        StdoutRead = stdoutRead;
        StderrRead = stderrRead;
        _stdoutWrite = stdoutWrite;
        _stderrWrite = stderrWrite;
        Echo = echo;
    }

    /// <summary>The read ends, close-on-exec: no stage inherits them.</summary>
    public int StdoutRead { get; private set; }

    public int StderrRead { get; private set; }

    /// <summary>Whether the output is also written to the runner's own stdout and stderr (a foreground run).</summary>
    public bool Echo { get; }

    /// <param name="echo">a foreground run: the output is shown as well as logged.</param>
    public static ContainerOutput Create(bool echo)
    {
        (int stdoutRead, int stdoutWrite) = ProcessControl.CreatePipe();
        try
        {
            (int stderrRead, int stderrWrite) = ProcessControl.CreatePipe();
            return new ContainerOutput(stdoutRead, stdoutWrite, stderrRead, stderrWrite, echo);
        }
        catch
        {
            ProcessControl.Close(stdoutRead);
            ProcessControl.Close(stdoutWrite);
            throw;
        }
    }

    /// <summary>The write ends, for the spawn that makes them the stage's fds 1 and 2.</summary>
    internal (int Stdout, int Stderr) WriteEnds => (_stdoutWrite, _stderrWrite);

    /// <summary>
    /// Once the stage has its copies: the container's processes must hold the last ones, so that end of file comes
    /// when they are gone.
    /// </summary>
    internal void CloseWriteEnds()
    {
        Close(ref _stdoutWrite);
        Close(ref _stderrWrite);
    }

    public void Dispose()
    {
        CloseWriteEnds();
        int stdoutRead = StdoutRead, stderrRead = StderrRead;
        Close(ref stdoutRead);
        Close(ref stderrRead);
        StdoutRead = StderrRead = -1;
    }

    private static void Close(ref int fd)
    {
        if (fd < 0) return;
        ProcessControl.Close(fd);
        fd = -1;
    }
}
