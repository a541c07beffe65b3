using System.Text.Json;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The init stage, spawned ahead of its spec: born in a new PID namespace (as its PID 1), it starts up (a second .NET
/// start) while the parent is still resolving the image, creating the container and mounting the overlay, then waits
/// on fd 3. <see cref="Send"/> gives it the spec; it joins the cgroup and unshares its other namespaces itself.
/// Disposed before that, it is killed and reaped.
/// </summary>
public sealed class InitStageProcess : IDisposable
{
    private int _messageFd;

    private InitStageProcess(int pid, int messageFd)
    {
        Pid = pid;
        _messageFd = messageFd;
    }

    /// <summary>The host's PID of the init stage (PID 1 inside).</summary>
    public int Pid { get; }

    public static InitStageProcess Spawn()
    {
        const string own = "/proc/thread-self/ns/pid";
        int ownPid = ProcessControl.OpenReadOnly(own);
        try
        {
            (int pid, int fd) = StageSpawner.Spawn("minirun-init", InitStage.Verb,
                () => Syscalls.Unshare(NamespaceFlags.Pid),
                () => Syscalls.SetNamespace(ownPid, NamespaceFlags.Pid, own)); // this thread's children: in its own again
            return new InitStageProcess(pid, fd);
        }
        finally
        {
            ProcessControl.Close(ownPid);
        }
    }

    /// <summary>
    /// Sends the spec. <paramref name="beforeSpec"/> runs first, while the stage still waits; if it or the send
    /// fails, the stage is killed.
    /// </summary>
    public void Send(InitSpec spec, Action<int>? beforeSpec = null)
    {
        if (_messageFd < 0) throw new InvalidOperationException("the init stage has had its spec");
        byte[] message = JsonSerializer.SerializeToUtf8Bytes(spec, SandboxWriteJsonContext.Default.InitSpec);
        int fd = _messageFd;
        _messageFd = -1;
        StageSpawner.Deliver(Pid, fd, message, beforeSpec);
    }

    public void Dispose()
    {
        if (_messageFd < 0) return;
        ProcessControl.Close(_messageFd); // it reads end of file, and leaves quietly if the signal does not come first
        _messageFd = -1;
        Syscalls.Kill(Pid, 9);
        ProcessControl.WaitForExit(Pid);
    }
}
