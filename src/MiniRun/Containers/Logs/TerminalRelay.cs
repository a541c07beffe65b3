using System.Runtime.InteropServices;
using MiniRun.Containers.Attach;
using MiniRun.Native;

namespace MiniRun.Containers.Logs;

/// <summary>
/// The runner's side of a container's pty (run -t, exec -t), as Docker's CLI and containerd's shim share it: what
/// the container's terminal shows goes to our stdout (in the foreground) and to the log; with -i, what is typed goes
/// to the container's terminal, the user's own terminal in raw mode meanwhile and given back as it was, whatever
/// ends the container; window size changes (SIGWINCH) are passed on. One thread polls the master, stdin and PID 1's
/// pidfd together, as <see cref="OutputCopier"/> does the pipes.
/// </summary>
public static class TerminalRelay
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Sets the container's terminal to the size of ours, before its command starts (it reads it once at start).</summary>
    public static void TakeOurSize(int master)
    {
        if ((HostTerminal.Size(1) ?? HostTerminal.Size(0)) is { } size) Pseudoterminal.Resize(master, size.Rows, size.Columns);
    }

    /// <summary>Relays until PID 1 has exited and its terminal has nothing more to show; the log is complete then.</summary>
    /// <param name="show">a foreground run: shown on our stdout, our terminal raw and its size followed.</param>
    /// <param name="input">-i: our stdin is typed into the container's terminal.</param>
    /// <param name="attach">a detached container's attach clients, served on this same thread (its supervisor's).</param>
    public static void CopyUntilExited(int pid, int master, JsonLogWriter? log, bool show, bool input, AttachServer? attach = null)
    {
        using HostTerminal? ours = show && input ? HostTerminal.MakeRaw(0) : null;
        using PosixSignalRegistration? resize = show ? PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
        {
            context.Cancel = true;
            try { TakeOurSize(master); }
            catch (NativeException) { } // the container's terminal is gone meanwhile
        }) : null;
        int pidFd = OutputDescriptors.TryOpenPidFd(pid);
        try
        {
            Span<Libc.PollFd> entries =
            [
                new() { Fd = pidFd, Events = OutputDescriptors.In },
                new() { Fd = master, Events = OutputDescriptors.In },
                new() { Fd = input ? 0 : -1, Events = OutputDescriptors.In },
            ];
            byte[] buffer = new byte[BufferSize];
            bool exited = false;
            while (entries[1].Fd >= 0)
            {
                // A lagging attach client holds the output back, until PID 1 has gone: then it is all read, and logged.
                entries[1].Events = attach is { Congested: true } && !exited ? (short)0 : OutputDescriptors.In;
                bool served = attach is not null && !exited;
                Span<Libc.PollFd> polled = served ? attach!.Around(entries) : entries;
                // Once PID 1 is gone, only what its terminal already holds is left to show: no waiting.
                if (ProcessControl.Poll(polled, exited ? 0 : -1, "the container's terminal") == 0) break;
                if (served)
                {
                    polled[..entries.Length].CopyTo(entries);
                    attach!.Serve(polled[entries.Length..]);
                }
                if (entries[0].Returned != 0)
                {
                    exited = true;
                    entries[0].Fd = -1;
                }
                if (entries[2].Fd >= 0 && entries[2].Returned != 0)
                {
                    int typed = OutputDescriptors.Read(0, buffer);
                    // End of our stdin: nothing more is typed (the container's terminal stays open, as Docker leaves it).
                    if (typed == 0 || OutputDescriptors.TryWriteAll(master, buffer.AsSpan(0, typed)) != 0) entries[2].Fd = -1;
                }
                if (entries[1].Returned == 0) continue;
                // EIO once no process holds the terminal's other side: the container is gone. Nothing now (-1): the
                // master is non-blocking once attach clients type into it.
                int n = OutputDescriptors.ReadAvailable(master, buffer);
                if (n < 0) continue;
                if (n == 0)
                {
                    entries[1].Fd = -1;
                    continue;
                }
                if (show && OutputDescriptors.TryWriteAll(1, buffer.AsSpan(0, n)) != 0) show = false;
                log?.Write(LogStream.Stdout, buffer.AsSpan(0, n));
                attach?.Broadcast(1, buffer.AsSpan(0, n));
            }
            log?.Complete();
        }
        finally
        {
            if (pidFd >= 0) ProcessControl.Close(pidFd);
        }
    }
}
