using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// A pseudo-terminal pair (pty(7)): the master, which whoever shows the terminal keeps, and the slave, which becomes a
/// process's stdio and controlling terminal. Opened from a devpts instance's ptmx, so a container's pty is of its own
/// /dev/pts (runc's console.go does the same).
/// </summary>
public static unsafe class Pseudoterminal
{
    /// <summary>Opens a new pair on <paramref name="ptmx"/> (a devpts instance's ptmx); both close-on-exec, the slave unlocked.</summary>
    /// <returns>the two descriptors and the slave's number (its name is pts/N of that instance).</returns>
    public static (int Master, int Slave, int Number) Open(string ptmx)
    {
        int master = Libc.open(ptmx, Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
        if (master < 0) throw new NativeException("open", ptmx, Marshal.GetLastPInvokeError());
        try
        {
            int unlock = 0, number = 0;
            Check(Libc.ioctl(master, Libc.TIOCSPTLCK, &unlock), "ioctl TIOCSPTLCK", ptmx);
            Check(Libc.ioctl(master, Libc.TIOCGPTN, &number), "ioctl TIOCGPTN", ptmx);
            // TIOCGPTPEER opens the slave through the master, not by a path a container could have swapped (Linux 4.13).
            int slave = Libc.ioctl(master, Libc.TIOCGPTPEER, (void*)(nint)(Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC));
            Check(slave, "ioctl TIOCGPTPEER", ptmx);
            return (master, slave, number);
        }
        catch
        {
            Libc.close(master);
            throw;
        }
    }

    /// <summary>TIOCSWINSZ: the size the terminal reports to programs (runc's exec --tty sets the caller's).</summary>
    public static void Resize(int fd, ushort rows, ushort columns)
    {
        var size = new Libc.WindowSize { Rows = rows, Columns = columns };
        Check(Libc.ioctl(fd, Libc.TIOCSWINSZ, &size), "ioctl TIOCSWINSZ", "fd " + fd);
    }

    /// <summary>
    /// The calling process leaves its session (setsid(2)), takes <paramref name="slave"/> as its controlling terminal
    /// (TIOCSCTTY) and as its stdin, stdout and stderr; the slave's own descriptor is closed. What a shell's job control
    /// and a program's isatty(3) expect of a terminal.
    /// </summary>
    public static void BecomeControllingTerminal(int slave)
    {
        if (Libc.setsid() < 0) throw new NativeException("setsid", null, Marshal.GetLastPInvokeError());
        Check(Libc.ioctl(slave, Libc.TIOCSCTTY, null), "ioctl TIOCSCTTY", "the terminal");
        for (int fd = 0; fd <= 2; fd++)
            if (Libc.dup3(slave, fd, 0) < 0) throw new NativeException("dup3", $"the terminal onto fd {fd}", Marshal.GetLastPInvokeError());
        if (slave > 2) Libc.close(slave);
    }

    private static void Check(int result, string call, string path)
    {
        if (result < 0) throw new NativeException(call, path, Marshal.GetLastPInvokeError());
    }
}
