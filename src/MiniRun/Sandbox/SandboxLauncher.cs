using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The parent side of a container's PID 1: which namespaces it gets, and how long it may outlive a stop. The init
/// stage (this same binary, verb <see cref="InitStage.Verb"/>) is started by <see cref="InitStageProcess"/>: born in a
/// new PID namespace, it unshares the others itself; <see cref="SignalForwarding"/> waits for it.
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
}
