using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The init stage, spawned ahead of its spec: born in a new PID namespace (as its PID 1), it starts up (a second .NET
/// start) while the parent is still resolving the image, creating the container and mounting the overlay, then waits
/// on fd 3. The exchange over that pipe:
/// <list type="number">
/// <item><see cref="Send"/>: the spec's length (4 bytes, little-endian), then the spec. The stage unshares its other
/// namespaces and sets up the root, while the parent creates the cgroup and gets ready to supervise it.</item>
/// <item><see cref="Release"/>: one byte, <see cref="Go"/>: the cgroup is there, and the stage joins it, enters the
/// root, drops privileges and execve()s the command. End of file without it (the parent failed or died) makes the
/// stage exit instead, so no command runs unsupervised.</item>
/// <item><see cref="WaitUntilExecuted"/>: the parent keeps its end open until the stage's end closes, at execve
/// (close-on-exec) or exit; only then does it let go of the read-only view of the binary (<see cref="RuntimeBinary"/>),
/// so that the kernel tears that mount down in the parent, while the command runs, not in the command's execve.</item>
/// </list>
/// Disposed before it is released, it is killed and reaped. Its stdout and stderr are the runner's, or the pipes of a
/// <see cref="ContainerOutput"/>, which it then owns.
/// </summary>
public sealed class InitStageProcess : IDisposable
{
    private int _messageFd;

    private InitStageProcess(int pid, int messageFd, RuntimeBinary binary, ContainerOutput? output)
    {
        Pid = pid;
        _messageFd = messageFd;
        Binary = binary;
        Output = output;
    }

    /// <summary>The host's PID of the init stage (PID 1 inside).</summary>
    public int Pid { get; }

    /// <summary>The binary the stage runs from: a read-only view of minirun, unless the kernel refused it (--explain says).</summary>
    public RuntimeBinary Binary { get; }

    /// <summary>The pipes its stdout and stderr write to; null when they are the runner's own (a terminal).</summary>
    public ContainerOutput? Output { get; }

    /// <param name="output">pipes for its stdout and stderr (owned by the stage from here, closed if the spawn fails).</param>
    /// <param name="explain">--explain: the stage narrates what it does on this process's stderr (its fd 5).</param>
    public static InitStageProcess Spawn(ContainerOutput? output = null, bool explain = false)
    {
        const string own = "/proc/thread-self/ns/pid";
        int ownPid = -1;
        try
        {
            ownPid = ProcessControl.OpenReadOnly(own);
            (int pid, int fd, RuntimeBinary binary) = StageSpawner.Spawn("minirun-init", InitStage.Verb,
                () => Syscalls.Unshare(NamespaceFlags.Pid),
                () => Syscalls.SetNamespace(ownPid, NamespaceFlags.Pid, own), // this thread's children: in its own again
                output?.WriteEnds, explainFd: explain ? 2 : null);
            output?.CloseWriteEnds();
            return new InitStageProcess(pid, fd, binary, output);
        }
        catch
        {
            output?.Dispose();
            throw;
        }
        finally
        {
            if (ownPid >= 0) ProcessControl.Close(ownPid);
        }
    }

    /// <summary>
    /// Sends the spec. <paramref name="beforeSpec"/> runs first, while the stage still waits; if it or the send
    /// fails, the stage is killed.
    /// </summary>
    public void Send(InitSpec spec, Action<int>? beforeSpec = null)
    {
        if (_messageFd < 0 || _sent) throw new InvalidOperationException("the init stage has had its spec");
        byte[] json = InitSpecWriter.Write(spec);
        byte[] message = new byte[4 + json.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(message, json.Length);
        json.CopyTo(message, 4);
        beforeSpec?.Invoke(Pid);
        ProcessControl.WriteAll(_messageFd, message); // on failure, Dispose kills it
        _sent = true;
    }

    /// <summary>The byte that lets the stage execve the command.</summary>
    public const byte Go = (byte)'G';

    /// <summary>
    /// Lets the stage join the cgroup and execve the command. A stage that died meanwhile (it could not set up the root,
    /// and said why on the container's stderr) cannot read it: the wait that follows reports its exit status.
    /// </summary>
    public void Release()
    {
        if (!_sent) throw new InvalidOperationException("the init stage has no spec yet");
        try { ProcessControl.WriteAll(_messageFd, [Go]); }
        catch (NativeException e) when (e.Errno == Errnos.EPIPE) { }
        _released = true;
    }

    /// <summary>
    /// Waits until the released stage has execve()d the command (or died), then closes the view of the binary: the
    /// last reference to a detached overlay costs RCU grace periods (~0.1 ms idle, milliseconds on a busy machine),
    /// paid here while the command runs.
    /// </summary>
    public void WaitUntilExecuted()
    {
        if (!_released) throw new InvalidOperationException("the init stage has not been released");
        if (_messageFd >= 0) ProcessControl.WaitUntilNoReader(_messageFd);
        CloseMessagePipe();
        Binary.Dispose();
    }

    private bool _sent, _released;

    private void CloseMessagePipe()
    {
        if (_messageFd >= 0) ProcessControl.Close(_messageFd);
        _messageFd = -1;
    }

    public void Dispose()
    {
        Binary.Dispose();
        Output?.Dispose(); // once released, the runner has copied all of it
        if (_messageFd < 0) return;
        CloseMessagePipe(); // unreleased, it reads end of file, and leaves quietly if the signal does not come first
        if (_released) return; // the command runs: its runner waits for it
        Syscalls.Kill(Pid, Signal.Kill);
        ProcessControl.WaitForExit(Pid);
    }
}
