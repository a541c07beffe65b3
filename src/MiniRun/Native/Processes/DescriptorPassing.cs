using System.Runtime.InteropServices;
using System.Text;

namespace MiniRun.Native;

/// <summary>
/// A descriptor handed to another process over a unix socket (unix(7) SCM_RIGHTS): how an OCI runtime gives a
/// terminal's master to the engine that asked with --console-socket (runtime-spec runtime.md; runc's utils.SendFd).
/// The payload is the descriptor's name, as runc sends it.
/// </summary>
public static unsafe class DescriptorPassing
{
    /// <summary>A stream socket connected to the unix socket at <paramref name="path"/>, close-on-exec.</summary>
    public static int Connect(string path)
    {
        byte[] name = Encoding.UTF8.GetBytes(path);
        const int pathRoom = 108; // sizeof(sockaddr_un.sun_path)
        if (name.Length >= pathRoom) throw new MiniRunException($"console socket {path}: the path is longer than {pathRoom - 1} bytes: use a shorter one");
        int fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) throw new NativeException("socket", path, Marshal.GetLastPInvokeError());
        byte* address = stackalloc byte[2 + pathRoom];
        new Span<byte>(address, 2 + pathRoom).Clear();
        *(ushort*)address = Libc.AF_UNIX;
        name.CopyTo(new Span<byte>(address + 2, pathRoom));
        while (Libc.connect(fd, address, (uint)(2 + name.Length + 1)) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errnos.EINTR) continue;
            Libc.close(fd);
            throw new NativeException("connect", path, errno);
        }
        return fd;
    }

    /// <summary>Sends <paramref name="fd"/> (one SCM_RIGHTS message, <paramref name="name"/> as its payload).</summary>
    public static void Send(int socket, int fd, string name)
    {
        byte[] payload = Encoding.UTF8.GetBytes(name.Length == 0 ? "fd" : name);
        var rights = new Libc.RightsMessage { Length = (nuint)(sizeof(nuint) + 2 * sizeof(int) + sizeof(int)), Level = Libc.SOL_SOCKET, Type = Libc.SCM_RIGHTS, Descriptor = fd };
        fixed (byte* data = payload)
        {
            var iov = new Libc.IoVector { Base = data, Length = (nuint)payload.Length };
            var message = new Libc.MessageHeader { Iov = &iov, IovLength = 1, Control = &rights, ControlLength = (nuint)sizeof(Libc.RightsMessage) };
            while (Libc.sendmsg(socket, &message, 0) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Errnos.EINTR) throw new NativeException("sendmsg", "the console socket", errno);
            }
        }
    }

    /// <summary>Receives one descriptor sent by <see cref="Send"/> (close-on-exec here), and its name.</summary>
    public static (int Fd, string Name) Receive(int socket) =>
        TryReceive(socket, 4096) ?? throw new MiniRunException("a unix socket: it closed before a descriptor came");

    /// <summary>As <see cref="Receive"/>, reading at most <paramref name="payload"/> bytes (what follows stays for the next
    /// read); null at end of file.</summary>
    public static (int Fd, string Name)? TryReceive(int socket, int payload)
    {
        byte* data = stackalloc byte[payload];
        var rights = new Libc.RightsMessage();
        var iov = new Libc.IoVector { Base = data, Length = (nuint)payload };
        var message = new Libc.MessageHeader { Iov = &iov, IovLength = 1, Control = &rights, ControlLength = (nuint)sizeof(Libc.RightsMessage) };
        nint n;
        while ((n = Libc.recvmsg(socket, &message, Libc.MSG_CMSG_CLOEXEC)) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errnos.EINTR) throw new NativeException("recvmsg", "a unix socket", errno);
        }
        if (n == 0) return null;
        if (message.ControlLength == 0 || rights.Level != Libc.SOL_SOCKET || rights.Type != Libc.SCM_RIGHTS)
            throw new MiniRunException("a unix socket: the message carried no descriptor");
        return (rights.Descriptor, Encoding.UTF8.GetString(data, (int)n));
    }
}
