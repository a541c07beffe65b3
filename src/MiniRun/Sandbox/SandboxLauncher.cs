using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The parent side of a container's PID 1: which namespaces it gets, and the wait for it. The init stage itself (this
/// same binary, verb <see cref="InitStage.Verb"/>) is started by <see cref="InitStageProcess"/>: born in a new PID
/// namespace, it unshares the others itself.
/// </summary>
public sealed class SandboxLauncher
{
    public static NamespaceFlags NamespacesFor(bool isolateNetwork) =>
        NamespaceFlags.Mount | NamespaceFlags.Uts | NamespaceFlags.Ipc | NamespaceFlags.Pid |
        (isolateNetwork ? NamespaceFlags.Network : NamespaceFlags.None);

    /// <summary>What the init stage unshares itself once it has its spec: all of <see cref="NamespacesFor"/> but PID.</summary>
    public static NamespaceFlags UnsharedByInit(bool isolateNetwork) => NamespacesFor(isolateNetwork) & ~NamespaceFlags.Pid;

    /// <summary>Docker's default for `docker stop` and for a container that ignores the signal it was sent.</summary>
    public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Waits for the container's PID 1, forwarding signals to it (see <see cref="SignalForwarding"/>); its exit status.</summary>
    public static int Wait(int pid) => Wait(pid, DefaultStopTimeout);

    /// <summary>As <see cref="Wait(int)"/> with a stop timeout of the caller's.</summary>
    public static int Wait(int pid, TimeSpan stopTimeout)
    {
        using var forwarding = new SignalForwarding(pid, stopTimeout);
        return forwarding.WaitForExit();
    }
}
