using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// What the stages need besides the OCI spec, known only to the runtime at start: where the root is, the cgroup it
/// made (and how the stage joins it), the compiled seccomp filter, the session keyring's name, the user's home, the
/// kernel's last capability, the terminal minirun runs on, and what the host's /proc and /sys hold.
/// </summary>
public sealed record StageFacts
{
    /// <summary>The merged overlay directory that becomes "/".</summary>
    public required string RootFs { get; init; }
    /// <summary>chroot(2) instead of pivot_root(2) (runc's --no-pivot).</summary>
    public bool NoPivot { get; init; }
    public IReadOnlyList<string> CgroupJoinFiles { get; init; } = [];
    public string? CgroupEarlyJoinDirectory { get; init; }
    /// <summary>The host's cgroup hierarchies, whose mounts the spec's /sys/fs/cgroup becomes; null: none on this host.</summary>
    public ICgroupManager? Cgroups { get; init; }
    /// <summary>The filter compiled for the spec's capability set; null: none.</summary>
    public SeccompFilter? SeccompFilter { get; init; }
    public string? SessionKeyring { get; init; }
    /// <summary>HOME unless the spec's environment sets it (runc reads it from the container's passwd entry).</summary>
    public string Home { get; init; } = "/";
    public int LastCapability { get; init; }
    /// <summary>The terminal on minirun's stdin (/dev/pts/N), bound to /dev/console; null: none.</summary>
    public string? Terminal { get; init; }
    /// <summary>The OCI runtime's --console-socket: process.terminal's pty master goes there (<see cref="Sandbox.ContainerConsole"/>).</summary>
    public string? ConsoleSocket { get; init; }
    /// <summary>minirun's own run -t: process.terminal's master goes to the runner over the init stage's channel.</summary>
    public bool ConsoleOverChannel { get; init; }
    /// <summary>Whether a host path is a directory (true), another file (false) or absent (null): /proc and /sys are the host kernel's.</summary>
    public Func<string, bool?> KindOf { get; init; } = ContainerMounts.HostKind;
    /// <summary>Where a warning goes (what the spec asks that is ignored, as runc ignores it); null: nowhere.</summary>
    public Action<string>? Warn { get; init; }
}
