using MiniRun.Native;

namespace MiniRun.Containers.Attach;

/// <summary>
/// A detached container's attach point, held by its supervisor (the server side of `docker attach`, which containerd's
/// shim and conmon keep too): a unix socket in the container's directory, root's only, whose clients get what the
/// container prints from the moment they come (as Docker's attach: no replay; `logs` has the past), and whose input
/// goes to the container's terminal or stdin pipe (-i), their window size to its terminal, their signals to PID 1.
/// It runs on the thread that copies the container's output: the copy polls its descriptors too (see TerminalRelay and
/// OutputCopier), and no thread of its own is started. Every descriptor is non-blocking, so that neither a client nor a
/// container that does not read its input can stall the copy; a client that lags behind by more than
/// <see cref="ClientBacklog"/> bytes holds the container's output back until it has caught up, as Docker's attach does
/// (its broadcast writes to each client in turn).
/// </summary>
public sealed class AttachServer : IDisposable
{
    /// <summary>The socket's name in the container's directory. A killed supervisor's is left, refusing connections, until the next one replaces it.</summary>
    public const string SocketName = "attach.sock";

    private const int MaxClients = 32;
    private const int ClientBacklog = 1 << 20;
    /// <summary>Typed input held while the container does not read it: its clients are not read meanwhile.</summary>
    private const int InputBacklog = 64 * 1024;

    private readonly List<Client> _clients = [];
    private readonly ByteQueue _input = new();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private Libc.PollFd[] _entries = new Libc.PollFd[8];
    private int _listener;
    private AttachTarget? _target;
    private int _inputFd = -1, _stdinPipe = -1;
    private bool _endInput;

    private sealed class Client(int fd)
    {
        public int Fd { get; } = fd;
        public ByteQueue Received { get; } = new();
        public ByteQueue Outgoing { get; } = new();
        public bool Broken { get; set; }
    }

    private AttachServer(int listener) => _listener = listener;

    /// <summary>Listens on <see cref="SocketName"/> in <paramref name="containerDirectory"/> (mode 0600: root's only).</summary>
    public static AttachServer Listen(string containerDirectory) => new(UnixSocket.Listen(containerDirectory, SocketName, 0x180));

    /// <summary>Waits for a first client (start -a, before the container starts: nothing it prints is missed); false on timeout.</summary>
    public bool AwaitClient(TimeSpan timeout)
    {
        Span<Libc.PollFd> listener = [new() { Fd = _listener, Events = Libc.POLLIN }];
        if (ProcessControl.Poll(listener, (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds), "an attach socket") == 0) return false;
        Accept();
        return _clients.Count > 0;
    }

    /// <summary>
    /// The container runs: from here its clients reach it. What they sent meanwhile is served now, before its command
    /// starts (start -a's window size: the command reads its terminal's size once, at start).
    /// </summary>
    public void Attach(AttachTarget target)
    {
        _target = target;
        _stdinPipe = target.StdinPipe;
        _inputFd = !target.OpenStdin ? -1 : target.Terminal >= 0 ? target.Terminal : target.StdinPipe;
        if (_inputFd >= 0) UnixSocket.SetNonBlocking(_inputFd); // our end only: the container's side is another open file
        Span<Libc.PollFd> ours = Entries(0);
        if (ProcessControl.Poll(ours, 0, "an attach socket") > 0) Serve(ours);
    }

    /// <summary>The container's PID 1 has gone (or never came): its stdin pipe is closed, its terminal forgotten.</summary>
    public void Detach()
    {
        CloseStdin();
        _target = null;
        _inputFd = -1;
        _input.Clear();
        _endInput = false;
    }

    /// <summary>True while a client lags so far behind that the container's output must wait for it.</summary>
    public bool Congested
    {
        get
        {
            foreach (Client client in _clients)
                if (client.Outgoing.Count > ClientBacklog) return true;
            return false;
        }
    }

    /// <summary>The relay's poll entries followed by this server's, for one poll(2) of them all; <see cref="Serve"/> takes ours back.</summary>
    internal Span<Libc.PollFd> Around(ReadOnlySpan<Libc.PollFd> relay)
    {
        Span<Libc.PollFd> all = Entries(relay.Length);
        relay.CopyTo(all);
        return all;
    }

    /// <summary>Ours: the listener, the container's input when typed input waits for it, then each client.</summary>
    private Span<Libc.PollFd> Entries(int offset)
    {
        Prune();
        int count = offset + 2 + _clients.Count;
        if (_entries.Length < count) Array.Resize(ref _entries, count * 2);
        Span<Libc.PollFd> all = _entries.AsSpan(0, count);
        all[offset] = new() { Fd = _listener, Events = Libc.POLLIN };
        all[offset + 1] = new() { Fd = _input.Count > 0 ? _inputFd : -1, Events = Libc.POLLOUT };
        int read = _input.Count < InputBacklog ? Libc.POLLIN : 0;
        for (int i = 0; i < _clients.Count; i++)
            all[offset + 2 + i] = new() { Fd = _clients[i].Fd, Events = (short)(read | (_clients[i].Outgoing.Count > 0 ? Libc.POLLOUT : 0)) };
        return all;
    }

    /// <summary>Acts on what poll(2) returned for the entries <see cref="Around"/> added.</summary>
    internal void Serve(ReadOnlySpan<Libc.PollFd> ours)
    {
        for (int i = 2; i < ours.Length; i++)
            if (ours[i].Returned != 0) ServeClient(_clients[i - 2], ours[i].Returned);
        if (ours[1].Returned != 0) FlushInput();
        if (ours[0].Returned != 0) Accept();
        Prune();
    }

    /// <summary>What the container wrote (<paramref name="fd"/> 1: stdout, 2: stderr), to every client.</summary>
    public void Broadcast(int fd, ReadOnlySpan<byte> data)
    {
        foreach (Client client in _clients)
        {
            if (client.Broken) continue;
            AttachFrames.Append(client.Outgoing, fd == 2 ? AttachFrames.Stderr : AttachFrames.Stdout, data);
            if (!Flush(client)) client.Broken = true;
        }
    }

    /// <summary>The container has stopped: each client is told how (within a few seconds at most), then let go.</summary>
    public void End(int exitCode, string? error)
    {
        Detach();
        foreach (Client client in _clients) AttachFrames.AppendNumber(client.Outgoing, AttachFrames.Exit, exitCode, error);
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            foreach (Client client in _clients)
                if (client.Broken || !Flush(client) || client.Outgoing.Count == 0) client.Broken = true; // done with it
            Prune();
            int left = (int)(deadline - DateTime.UtcNow).TotalMilliseconds;
            if (_clients.Count == 0 || left <= 0) break;
            if (_entries.Length < _clients.Count) Array.Resize(ref _entries, _clients.Count);
            Span<Libc.PollFd> writable = _entries.AsSpan(0, _clients.Count);
            for (int i = 0; i < writable.Length; i++) writable[i] = new() { Fd = _clients[i].Fd, Events = Libc.POLLOUT };
            ProcessControl.Poll(writable, left, "an attach socket");
        }
        foreach (Client client in _clients) client.Broken = true;
        Prune();
    }

    private void ServeClient(Client client, short returned)
    {
        if (client.Broken) return;
        if ((returned & Libc.POLLOUT) != 0 && !Flush(client))
        {
            client.Broken = true;
            return;
        }
        if ((returned & ~Libc.POLLOUT) == 0) return; // readable, hung up or failed: a read tells which
        int n = OutputDescriptors.ReadAvailable(client.Fd, _buffer);
        if (n < 0) return;
        if (n == 0)
        {
            client.Broken = true; // it left (detached, or ended)
            return;
        }
        client.Received.Append(_buffer.AsSpan(0, n));
        try
        {
            while (AttachFrames.TryTake(client.Received, out byte kind, out byte[] payload)) Handle(kind, payload);
        }
        catch (InvalidDataException)
        {
            client.Broken = true; // not a client of ours
        }
    }

    private void Handle(byte kind, byte[] payload)
    {
        switch (kind)
        {
            case AttachFrames.Input:
                if (_inputFd < 0 || _endInput) return; // no -i: Docker attaches no stdin either
                _input.Append(payload);
                FlushInput();
                return;
            case AttachFrames.InputEnd:
                if (_target is { StdinOnce: true } && _stdinPipe >= 0) _endInput = true;
                FlushInput();
                return;
            case AttachFrames.Window:
                (ushort rows, ushort columns) = AttachFrames.WindowOf(payload);
                if (_target is not { Terminal: >= 0 } tty || rows == 0 || columns == 0) return;
                try { Pseudoterminal.Resize(tty.Terminal, rows, columns); }
                catch (NativeException) { } // the terminal is gone meanwhile
                return;
            case AttachFrames.Signal:
                // Only while its copy runs, which ends before PID 1 is reaped: its PID is never another process's.
                if (_target is { Pid: > 0 } running && AttachFrames.Number(payload) is > 0 and < 65 and var signal) Syscalls.Kill(running.Pid, (Signal)signal);
                return;
            default:
                throw new InvalidDataException($"an attach frame of kind {kind}");
        }
    }

    /// <summary>Typed input into the container, as much as it takes now; at the end of input (StdinOnce), its stdin is closed.</summary>
    private void FlushInput()
    {
        if (_inputFd >= 0 && _input.Count > 0)
        {
            int n = OutputDescriptors.WriteAvailable(_inputFd, _input.Pending);
            if (n >= 0) _input.Consume(n);
            else
            {
                _input.Clear(); // nobody reads it any more (EPIPE, or EIO from a terminal): what is typed goes nowhere
                _inputFd = -1;
            }
        }
        if (_endInput && _input.Count == 0) CloseStdin();
    }

    private void CloseStdin()
    {
        if (_stdinPipe < 0) return;
        ProcessControl.Close(_stdinPipe);
        if (_inputFd == _stdinPipe) _inputFd = -1;
        _stdinPipe = -1;
    }

    /// <summary>Writes what a client is owed, as much as it takes now; false when it has gone.</summary>
    private static bool Flush(Client client)
    {
        while (client.Outgoing.Count > 0)
        {
            int n = OutputDescriptors.WriteAvailable(client.Fd, client.Outgoing.Pending);
            if (n < 0) return false;
            if (n == 0) return true;
            client.Outgoing.Consume(n);
        }
        return true;
    }

    private void Accept()
    {
        if (_listener < 0) return;
        try
        {
            for (int fd; (fd = UnixSocket.TryAccept(_listener)) >= 0;)
            {
                if (_clients.Count < MaxClients) _clients.Add(new Client(fd));
                else ProcessControl.Close(fd);
            }
        }
        catch (NativeException)
        {
            // EMFILE and the like: a connection would stay pending and wake every poll. The container matters more.
            ProcessControl.Close(_listener);
            _listener = -1;
        }
    }

    private void Prune()
    {
        for (int i = _clients.Count - 1; i >= 0; i--)
        {
            if (!_clients[i].Broken) continue;
            ProcessControl.Close(_clients[i].Fd);
            _clients.RemoveAt(i);
        }
    }

    public void Dispose()
    {
        Detach();
        foreach (Client client in _clients) client.Broken = true;
        Prune();
        if (_listener >= 0) ProcessControl.Close(_listener);
        _listener = -1;
    }
}
