using System.Runtime.InteropServices;
using System.Text;

namespace MiniRun.Native;

/// <summary>
/// A unix stream socket (unix(7)) named in a directory, reached through an open descriptor of that directory
/// (/proc/self/fd/N/NAME): a store under a long path still fits sun_path's 108 bytes. A detached container's attach
/// socket is one. Every descriptor here is close-on-exec and non-blocking: one thread polls them all.
/// </summary>
public static unsafe class UnixSocket
{
    private const int PathRoom = 108; // sizeof(sockaddr_un.sun_path)

    /// <summary>
    /// Listens on <paramref name="directory"/>/<paramref name="name"/>, replacing what a killed listener left there;
    /// the socket file gets <paramref name="mode"/> (connecting needs write permission on it: unix(7)).
    /// </summary>
    public static int Listen(string directory, string name, uint mode)
    {
        int dir = ProcessControl.OpenDirectory(directory);
        int fd = -1;
        try
        {
            string path = $"/proc/self/fd/{dir}/{name}";
            if (Libc.unlink(path) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != Errnos.ENOENT)
                throw new NativeException("unlink", Path.Combine(directory, name), errno);
            fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC | Libc.SOCK_NONBLOCK, 0);
            if (fd < 0) throw new NativeException("socket", Path.Combine(directory, name), Marshal.GetLastPInvokeError());
            byte* address = stackalloc byte[2 + PathRoom];
            uint length = Address(path, address);
            if (Libc.bind(fd, address, length) != 0) throw new NativeException("bind", Path.Combine(directory, name), Marshal.GetLastPInvokeError());
            if (Libc.chmod(path, mode) != 0) throw new NativeException("chmod", Path.Combine(directory, name), Marshal.GetLastPInvokeError());
            if (Libc.listen(fd, 16) != 0) throw new NativeException("listen", Path.Combine(directory, name), Marshal.GetLastPInvokeError());
            return fd;
        }
        catch
        {
            if (fd >= 0) Libc.close(fd);
            throw;
        }
        finally
        {
            Libc.close(dir);
        }
    }

    /// <summary>accept4(2): a waiting client's connection, non-blocking; -1 when none waits.</summary>
    public static int TryAccept(int listener)
    {
        while (true)
        {
            int fd = Libc.accept4(listener, null, null, Libc.SOCK_CLOEXEC | Libc.SOCK_NONBLOCK);
            if (fd >= 0) return fd;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errnos.EINTR) continue;
            if (errno == Errnos.EAGAIN) return -1;
            throw new NativeException("accept4", "an attach socket", errno);
        }
    }

    /// <summary>A connection to the socket <paramref name="name"/> in <paramref name="directory"/>, non-blocking; null when
    /// nobody listens there (no such socket, or refused: its listener is gone).</summary>
    public static int? TryConnect(string directory, string name)
    {
        int dir;
        try { dir = ProcessControl.OpenDirectory(directory); }
        catch (NativeException e) when (e.Errno == Errnos.ENOENT) { return null; }
        int fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        try
        {
            if (fd < 0) throw new NativeException("socket", Path.Combine(directory, name), Marshal.GetLastPInvokeError());
            byte* address = stackalloc byte[2 + PathRoom];
            uint length = Address($"/proc/self/fd/{dir}/{name}", address);
            while (Libc.connect(fd, address, length) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errnos.EINTR) continue;
                if (errno is Errnos.ENOENT or Errnos.ECONNREFUSED) return null;
                throw new NativeException("connect", Path.Combine(directory, name), errno);
            }
            SetNonBlocking(fd);
            int connected = fd;
            fd = -1;
            return connected;
        }
        finally
        {
            if (fd >= 0) Libc.close(fd);
            Libc.close(dir);
        }
    }

    /// <summary>O_NONBLOCK on the open file (every descriptor of it: a pty's master too, which only we hold).</summary>
    public static void SetNonBlocking(int fd)
    {
        int flags = Libc.fcntl(fd, Libc.F_GETFL, 0);
        if (flags < 0 || Libc.fcntl(fd, Libc.F_SETFL, flags | Libc.O_NONBLOCK) < 0)
            throw new NativeException("fcntl O_NONBLOCK", "fd " + fd, Marshal.GetLastPInvokeError());
    }

    /// <summary>struct sockaddr_un for <paramref name="path"/>; its length.</summary>
    private static uint Address(string path, byte* address)
    {
        byte[] name = Encoding.UTF8.GetBytes(path);
        if (name.Length >= PathRoom) throw new MiniRunException($"socket {path}: the path is longer than {PathRoom - 1} bytes");
        new Span<byte>(address, 2 + PathRoom).Clear();
        *(ushort*)address = Libc.AF_UNIX;
        name.CopyTo(new Span<byte>(address + 2, PathRoom));
        return (uint)(2 + name.Length + 1);
    }
}
