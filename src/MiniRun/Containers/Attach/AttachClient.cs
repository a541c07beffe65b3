using System.Runtime.InteropServices;
using System.Text;
using MiniRun.Native;

namespace MiniRun.Containers.Attach;

/// <summary>
/// The client side of `attach` and `start -a`: our stdin, stdout and stderr relayed to a container's supervisor over
/// its attach socket (<see cref="AttachServer"/>, frames of <see cref="AttachFrames"/>), as Docker's CLI relays them
/// over its hijacked connection. Our terminal is raw while it types into the container's, and given back as it was
/// however the attach ends; window size changes (SIGWINCH) are passed on; the detach keys end the attach and leave the
/// container running. One thread polls the socket and stdin; signals only queue a frame and wake it.
/// </summary>
public static class AttachClient
{
    /// <summary>Typed input not yet taken by the supervisor: stdin is not read meanwhile.</summary>
    private const int OutgoingBacklog = 64 * 1024;

    private static readonly PosixSignal[] Proxied = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT];

    /// <summary>A connection to the supervisor of the container in <paramref name="containerDirectory"/>; null when none
    /// listens (the container is not running, or runs in the foreground of a `minirun run`).</summary>
    public static int? TryConnect(string containerDirectory) => UnixSocket.TryConnect(containerDirectory, AttachServer.SocketName);

    /// <summary>Relays until the container stops (its supervisor says how), the detach keys are typed, or the socket closes.</summary>
    public static AttachResult Relay(int socket, AttachOptions options)
    {
        var outgoing = new ByteQueue();
        var gate = new object();
        (int wakeRead, int wakeWrite) = ProcessControl.CreatePipe();
        int stopSignal = 0;
        var registrations = new List<PosixSignalRegistration>();
        HostTerminal? raw = null;
        void Queue(Action<ByteQueue> frame)
        {
            lock (gate) frame(outgoing);
            OutputDescriptors.TryWriteAll(wakeWrite, [1]); // the loop polls, and sends it
        }
        try
        {
            if (options.Tty && KernelFiles.IsTerminal(1))
            {
                if (HostTerminal.Size(1) is { } size)
                {
                    if (options.Redraw) AttachFrames.AppendWindow(outgoing, (ushort)(size.Rows + 1), (ushort)(size.Columns + 1));
                    AttachFrames.AppendWindow(outgoing, size.Rows, size.Columns);
                }
                registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
                {
                    context.Cancel = true;
                    if (HostTerminal.Size(1) is { } now) Queue(q => AttachFrames.AppendWindow(q, now.Rows, now.Columns));
                }));
            }
            foreach (PosixSignal signal in Proxied)
                registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true; // we end as we choose: our terminal given back first
                    int number = (int)Signals.Of(context.Signal);
                    if (options.ProxySignals && !options.Tty) Queue(q => AttachFrames.AppendNumber(q, AttachFrames.Signal, number));
                    else
                    {
                        Volatile.Write(ref stopSignal, number);
                        OutputDescriptors.TryWriteAll(wakeWrite, [1]);
                    }
                }));
            raw = options.Tty && options.Stdin ? HostTerminal.MakeRaw(0) : null;
            return Loop(socket, options, outgoing, gate, wakeRead, () => Volatile.Read(ref stopSignal));
        }
        finally
        {
            raw?.Dispose();
            foreach (PosixSignalRegistration registration in registrations) registration.Dispose();
            ProcessControl.Close(wakeRead);
            ProcessControl.Close(wakeWrite);
        }
    }

    private static AttachResult Loop(int socket, AttachOptions options, ByteQueue outgoing, object gate, int wakeRead, Func<int> stopSignal)
    {
        var received = new ByteQueue();
        var forward = new List<byte>();
        byte[] buffer = new byte[64 * 1024];
        bool stdinOpen = options.Stdin, showOut = true, showErr = true;
        Span<Libc.PollFd> entries = stackalloc Libc.PollFd[3];
        while (true)
        {
            int pending;
            lock (gate) pending = outgoing.Count;
            entries[0] = new() { Fd = socket, Events = (short)(OutputDescriptors.In | (pending > 0 ? OutputDescriptors.Out : 0)) };
            entries[1] = new() { Fd = stdinOpen && pending < OutgoingBacklog ? 0 : -1, Events = OutputDescriptors.In };
            entries[2] = new() { Fd = wakeRead, Events = OutputDescriptors.In };
            ProcessControl.Poll(entries, -1, "an attach socket");
            if (entries[2].Returned != 0)
            {
                OutputDescriptors.Read(wakeRead, buffer);
                if (stopSignal() is > 0 and var signal) return new AttachResult(AttachEnd.Signalled, 128 + signal);
            }
            bool detached = false;
            if (entries[1].Returned != 0)
            {
                int n = OutputDescriptors.Read(0, buffer);
                forward.Clear();
                if (n > 0) detached = options.DetachKeys.Feed(buffer.AsSpan(0, n), forward);
                else options.DetachKeys.Flush(forward);
                lock (gate)
                {
                    if (forward.Count > 0) AttachFrames.Append(outgoing, AttachFrames.Input, CollectionsMarshal.AsSpan(forward));
                    if (n == 0) AttachFrames.Append(outgoing, AttachFrames.InputEnd, []); // what docker's CLI does with CloseWrite
                }
                stdinOpen = n > 0;
            }
            lock (gate) Flush(socket, outgoing); // what was typed before the detach keys goes too, if it can now
            if (detached) return new AttachResult(AttachEnd.Detached);
            if ((entries[0].Returned & ~OutputDescriptors.Out) == 0) continue;
            int read = OutputDescriptors.ReadAvailable(socket, buffer);
            if (read < 0) continue;
            if (read == 0) return new AttachResult(AttachEnd.Lost);
            received.Append(buffer.AsSpan(0, read));
            while (AttachFrames.TryTake(received, out byte kind, out byte[] payload))
            {
                switch (kind)
                {
                    // A reader of ours that went away (EPIPE) stops the showing, not the attach: Docker's CLI goes on too.
                    case AttachFrames.Stdout when showOut:
                        showOut = OutputDescriptors.TryWriteAll(1, payload) == 0;
                        break;
                    case AttachFrames.Stderr when showErr:
                        showErr = OutputDescriptors.TryWriteAll(2, payload) == 0;
                        break;
                    case AttachFrames.Exit:
                        return new AttachResult(AttachEnd.Exited, AttachFrames.Number(payload), payload.Length > 4 ? Encoding.UTF8.GetString(payload, 4, payload.Length - 4) : null);
                }
            }
        }
    }

    /// <summary>Sends what is queued, as much as the socket takes now (a supervisor that has gone shows as end of file).</summary>
    private static void Flush(int socket, ByteQueue outgoing)
    {
        while (outgoing.Count > 0)
        {
            int n = OutputDescriptors.WriteAvailable(socket, outgoing.Pending);
            if (n < 0) outgoing.Clear();
            if (n <= 0) return;
            outgoing.Consume(n);
        }
    }
}
