namespace MiniRun.Containers;

/// <summary>The hardening flags of `run` (--cap-add, --cap-drop, --privileged, --read-only, --security-opt), kept in the record.</summary>
public sealed record ContainerSecurity
{
    public List<string> CapAdd { get; init; } = [];
    public List<string> CapDrop { get; init; } = [];
    /// <summary>Every capability, no masked or read-only paths, writable /sys, every host device (docker run --privileged).</summary>
    public bool Privileged { get; init; }
    public bool ReadOnlyRootfs { get; init; }
    /// <summary>--security-opt no-new-privileges: execve never grants privileges (setuid bits, file capabilities).</summary>
    public bool NoNewPrivileges { get; init; }
    /// <summary>--security-opt seccomp=unconfined: no seccomp filter (--privileged has none either).</summary>
    public bool SeccompUnconfined { get; init; }
    /// <summary>The text of the profile given with --security-opt seccomp=FILE (kept, so a start works once the file is gone); null: Docker's default.</summary>
    public string? SeccompProfile { get; init; }
}
