using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// The user's own terminal, while a container's pty is shown on it (docker run -t): put in raw mode, so that every
/// key (Ctrl-C, Ctrl-Z, arrows) reaches the container's terminal, which does its own line discipline, and given back
/// exactly as it was found. Its size is what the container's terminal is told.
/// </summary>
public sealed unsafe class HostTerminal : IDisposable
{
    private readonly int _fd;
    private readonly byte[] _saved = new byte[Libc.TermiosSize];
    private bool _raw;

    private HostTerminal(int fd) => _fd = fd;

    /// <summary>The terminal on <paramref name="fd"/> in raw mode (cfmakeraw(3)); null when the fd is not a terminal.</summary>
    public static HostTerminal? MakeRaw(int fd)
    {
        if (!KernelFiles.IsTerminal(fd)) return null;
        var terminal = new HostTerminal(fd);
        byte* raw = stackalloc byte[Libc.TermiosSize];
        fixed (byte* saved = terminal._saved)
        {
            if (Libc.tcgetattr(fd, saved) != 0) throw new NativeException("tcgetattr", "fd " + fd, Marshal.GetLastPInvokeError());
            new ReadOnlySpan<byte>(saved, Libc.TermiosSize).CopyTo(new Span<byte>(raw, Libc.TermiosSize));
        }
        Libc.cfmakeraw(raw);
        if (Libc.tcsetattr(fd, Libc.TCSANOW, raw) != 0) throw new NativeException("tcsetattr", "fd " + fd, Marshal.GetLastPInvokeError());
        terminal._raw = true;
        return terminal;
    }

    /// <summary>The size of the terminal on <paramref name="fd"/> (TIOCGWINSZ), or null when it is none.</summary>
    public static (ushort Rows, ushort Columns)? Size(int fd)
    {
        var size = new Libc.WindowSize();
        return Libc.ioctl(fd, Libc.TIOCGWINSZ, &size) == 0 && size.Rows > 0 ? (size.Rows, size.Columns) : null;
    }

    /// <summary>Gives the terminal its settings back (also when the container was killed, or crashed).</summary>
    public void Dispose()
    {
        if (!_raw) return;
        _raw = false;
        fixed (byte* saved = _saved)
            Libc.tcsetattr(_fd, Libc.TCSANOW, saved);
    }
}
