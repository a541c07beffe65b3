using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// A container's terminal (runtime-spec config.md process.terminal): a pty of the container's own devpts instance,
/// whose master goes over a unix socket to whoever shows the terminal (an engine's --console-socket, as runc sends it)
/// and whose slave becomes the process's controlling terminal, its stdin, stdout and stderr, and /dev/console.
/// The socket is connected first, while the caller still sees the host's paths; the rest once the container's /dev
/// is mounted. Runs in the process that then execve()s the command (the init or the exec stage).
/// </summary>
public static class ContainerConsole
{
    /// <summary>What carries the master over a stage's channel: one byte, so that the parent's receive takes nothing after it.</summary>
    public const string ChannelMark = "T";

    /// <summary>The master, sent by <see cref="HandOver"/> over a stage's channel; null when the stage ended first.</summary>
    public static int? ReceiveOverChannel(int channel) => DescriptorPassing.TryReceive(channel, ChannelMark.Length)?.Fd;

    /// <summary>Connects to the socket the master is to be sent over (before the stage enters the container's root).</summary>
    public static int Connect(string socketPath) => DescriptorPassing.Connect(socketPath);

    /// <summary>
    /// Opens a pty on <paramref name="ptmx"/>, binds its slave (pts/N of <paramref name="devPts"/>) onto
    /// <paramref name="console"/> when one is given, sends the master over <paramref name="socket"/> and closes both,
    /// then makes the slave this process's controlling terminal and stdio.
    /// </summary>
    /// <param name="keepSocket">the socket is the stage's channel with its parent (minirun's own run -t and exec -t),
    /// which stays open; the master goes as one byte, <see cref="ChannelMark"/>, that the parent receives alone.</param>
    public static void HandOver(int socket, string ptmx, string devPts, string? console, bool keepSocket = false)
    {
        (int master, int slave, int number) = Pseudoterminal.Open(ptmx);
        try
        {
            if (console is not null)
            {
                ISyscalls sys = LinuxSyscalls.Instance;
                if (sys.LStat(console) is null) sys.WriteFile(console, "", 0x1b6);
                new MountRecord("bind", Path.Combine(devPts, number.ToString(System.Globalization.CultureInfo.InvariantCulture)), console, MountFlags.Bind).Apply(sys);
            }
            DescriptorPassing.Send(socket, master, keepSocket ? ChannelMark : "/dev/ptmx");
        }
        catch
        {
            ProcessControl.Close(slave);
            throw;
        }
        finally
        {
            ProcessControl.Close(master);
            if (!keepSocket) ProcessControl.Close(socket);
        }
        Pseudoterminal.BecomeControllingTerminal(slave);
    }
}
