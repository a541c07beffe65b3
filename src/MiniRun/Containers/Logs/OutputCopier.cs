using MiniRun.Containers.Attach;
using MiniRun.Native;
using MiniRun.Sandbox;

namespace MiniRun.Containers.Logs;

/// <summary>
/// The runner's copy of a container's output: from its pipes to the json-file log and, in the foreground, to the
/// runner's own stdout and stderr, each stream in its order. It runs on the thread that waits for PID 1, polling the
/// pipes and PID 1's pidfd together, until both pipes are at end of file, or PID 1 has exited and the pipes hold
/// nothing more: when PID 1 exits, the kernel kills every process of its PID namespace before the pidfd says so
/// (pid_namespaces(7)), so what they wrote is in the pipes by then; a write end passed out of the container does not
/// keep the runner waiting (except on a kernel without pidfds, before 5.3: there the copy lasts until end of file).
/// </summary>
public static class OutputCopier
{
    private const int BufferSize = 64 * 1024; // a pipe's default capacity

    /// <summary>Copies until the output ends; the log is complete when it returns. PID 1 is not reaped.</summary>
    /// <param name="attach">a detached container's attach clients, served on this same thread (its supervisor's).</param>
    public static void CopyUntilExited(int pid, ContainerOutput output, JsonLogWriter log, AttachServer? attach = null)
    {
        int pidFd = OutputDescriptors.TryOpenPidFd(pid);
        try
        {
            Span<Libc.PollFd> entries =
            [
                new() { Fd = pidFd, Events = OutputDescriptors.In },
                new() { Fd = output.StdoutRead, Events = OutputDescriptors.In },
                new() { Fd = output.StderrRead, Events = OutputDescriptors.In },
            ];
            byte[] buffer = new byte[BufferSize];
            bool exited = false;
            // Entry 1 reads the container's stdout, entry 2 its stderr: shown on our own fd 1 and fd 2.
            bool[] echo = [false, output.Echo, output.Echo];
            while (entries[1].Fd >= 0 || entries[2].Fd >= 0)
            {
                // A lagging attach client holds the output back, until PID 1 has gone: then it is all read, and logged.
                entries[1].Events = entries[2].Events = attach is { Congested: true } && !exited ? (short)0 : OutputDescriptors.In;
                bool served = attach is not null && !exited;
                Span<Libc.PollFd> polled = served ? attach!.Around(entries) : entries;
                // Once PID 1 is gone, only what is already in the pipes is left to read: no waiting.
                if (ProcessControl.Poll(polled, exited ? 0 : -1, "the container's output") == 0) break;
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
                for (int i = 1; i <= 2; i++)
                {
                    if (entries[i].Fd < 0 || entries[i].Returned == 0) continue;
                    int n = OutputDescriptors.Read(entries[i].Fd, buffer);
                    if (n == 0)
                    {
                        entries[i].Fd = -1; // end of file: poll(2) skips it from now on
                        continue;
                    }
                    // Shown first, as it comes; a reader that went away (EPIPE) stops the showing, not the logging.
                    if (echo[i] && OutputDescriptors.TryWriteAll(i, buffer.AsSpan(0, n)) != 0) echo[i] = false;
                    log.Write(i == 1 ? LogStream.Stdout : LogStream.Stderr, buffer.AsSpan(0, n));
                    attach?.Broadcast(i, buffer.AsSpan(0, n));
                }
            }
            log.Complete();
        }
        finally
        {
            if (pidFd >= 0) ProcessControl.Close(pidFd);
        }
    }
}
