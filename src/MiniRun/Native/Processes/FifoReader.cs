using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// The read end of a fifo, opened without blocking (open(2) of a fifo blocks until a writer comes, and a writer that
/// has died never will). poll(2) reports nothing until a writer has come: a fifo's POLLHUP means one came and went.
/// </summary>
public sealed unsafe class FifoReader : IDisposable
{
    private const int O_NONBLOCK = 0x800;
    private const short POLLHUP = 0x10;
    private readonly int _fd;

    public FifoReader(string path)
    {
        _fd = Libc.open(path, Libc.O_RDONLY | O_NONBLOCK | Libc.O_CLOEXEC, 0);
        if (_fd < 0) throw new NativeException("open", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// The next byte; -1 at the end (a writer came, and every writer has closed its end); null when
    /// <paramref name="timeoutMs"/> passed with neither (no writer yet, or one that has written nothing yet).
    /// </summary>
    public int? Read(int timeoutMs)
    {
        Span<Libc.PollFd> poll = [new Libc.PollFd { Fd = _fd, Events = Libc.POLLIN }];
        if (ProcessControl.Poll(poll, timeoutMs, "a fifo") == 0) return null;
        byte value;
        nint n = Libc.read(_fd, &value, 1);
        if (n == 1) return value;
        if (n == 0) return (poll[0].Returned & POLLHUP) != 0 ? -1 : null;
        int errno = Marshal.GetLastPInvokeError();
        return errno is Errnos.EAGAIN or Errnos.EINTR ? null : throw new NativeException("read", "a fifo", errno);
    }

    public void Dispose() => Libc.close(_fd);
}
