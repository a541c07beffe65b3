
namespace MiniRun.Native;

/// <summary>
/// A container's stdout and stderr as two pipes: the init stage gets the write ends as its fds 1 and 2, the runner
/// reads the other ends and copies them to the log (and, in the foreground, to its own stdout and stderr), as
/// containerd's shim and conmon do. So the container holds no descriptor of the log file: it cannot reopen it through
/// /proc/1/fd/1 to rewrite, seek in or truncate what was logged. Stdin is piped only for a detached -i container, whose
/// supervisor writes what its attach clients type (a foreground `run -i` passes its own stdin).
/// </summary>
public sealed class ContainerOutput : IDisposable
{
    private int _stdoutWrite, _stderrWrite, _stdinWrite;

    private ContainerOutput(int stdoutRead, int stdoutWrite, int stderrRead, int stderrWrite, (int Read, int Write) stdin, bool echo)
    {
        StdoutRead = stdoutRead;
        StderrRead = stderrRead;
        _stdoutWrite = stdoutWrite;
        _stderrWrite = stderrWrite;
        (StdinRead, _stdinWrite) = stdin;
        Echo = echo;
    }

    /// <summary>The read ends, close-on-exec: no stage inherits them.</summary>
    public int StdoutRead { get; private set; }

    public int StderrRead { get; private set; }

    /// <summary>Whether the output is also written to the runner's own stdout and stderr (a foreground run).</summary>
    public bool Echo { get; }

    /// <summary>The stdin pipe's read end, for the spawn that makes it the stage's fd 0; -1 without one.</summary>
    internal int StdinRead { get; private set; }

    /// <param name="echo">a foreground run: the output is shown as well as logged.</param>
    /// <param name="stdin">a stdin pipe too (<see cref="TakeStdinWrite"/>).</param>
    public static ContainerOutput Create(bool echo, bool stdin = false)
    {
        var made = new List<int>(6);
        try
        {
            (int stdoutRead, int stdoutWrite) = Pipe(made);
            (int stderrRead, int stderrWrite) = Pipe(made);
            (int Read, int Write) input = stdin ? Pipe(made) : (-1, -1);
            return new ContainerOutput(stdoutRead, stdoutWrite, stderrRead, stderrWrite, input, echo);
        }
        catch
        {
            foreach (int fd in made) ProcessControl.Close(fd);
            throw;
        }
    }

    private static (int Read, int Write) Pipe(List<int> made)
    {
        (int read, int write) = ProcessControl.CreatePipe();
        made.Add(read);
        made.Add(write);
        return (read, write);
    }

    /// <summary>The write ends, for the spawn that makes them the stage's fds 1 and 2.</summary>
    internal (int Stdout, int Stderr) WriteEnds => (_stdoutWrite, _stderrWrite);

    /// <summary>The stdin pipe's write end, which the caller owns from here (closing it is the container's end of input); -1 without one.</summary>
    public int TakeStdinWrite()
    {
        int fd = _stdinWrite;
        _stdinWrite = -1;
        return fd;
    }

    /// <summary>
    /// Once the stage has its copies: the container's processes must hold the last ones, so that end of file comes
    /// when they are gone.
    /// </summary>
    internal void CloseWriteEnds()
    {
        Close(ref _stdoutWrite);
        Close(ref _stderrWrite);
        int stdinRead = StdinRead;
        Close(ref stdinRead);
        StdinRead = -1;
    }

    public void Dispose()
    {
        CloseWriteEnds();
        Close(ref _stdinWrite);
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
