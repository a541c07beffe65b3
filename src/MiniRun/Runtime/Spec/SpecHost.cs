using MiniRun.Sandbox;
using MiniRun.Sandbox.Seccomp;
using MiniRun.Native;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// What the generated spec depends on in the machine that runs it: the kernel's highest capability, the capabilities
/// minirun holds (a container gets no others), the host's devices (--privileged) and the kernel version (the seccomp
/// rules' minKernel). Passed in, so <see cref="SpecGenerator"/> stays a pure function tests can feed.
/// </summary>
public sealed record SpecHost(int LastCapability, ulong HeldCapabilities)
{
    /// <summary>The host's device nodes, read only for a --privileged container (Docker's HostDevices).</summary>
    public Func<IReadOnlyList<DeviceNode>> Devices { get; init; } = () => ContainerMounts.HostDevices();

    /// <summary>The running kernel's version, read only when a seccomp section is generated.</summary>
    public Func<KernelVersion> Kernel { get; init; } = () =>
        KernelVersion.TryParse(KernelFiles.TryReadFirstLine("/proc/sys/kernel/osrelease") ?? "") ?? new KernelVersion(0, 0);

    /// <summary>
    /// --init's binary on this machine: Docker's docker-init (tini, static), else tini-static or catatonit (podman's);
    /// bound into the container read-only, so it must need no library of the host's. Null when none is installed.
    /// </summary>
    public Func<string?> InitBinary { get; init; } = () =>
        new[] { "docker-init", "tini-static", "catatonit" }.Select(name => ExecutableSearch.Find(name, [])).FirstOrDefault(path => path is not null);

    /// <summary>This machine, as minirun sees it now.</summary>
    public static SpecHost Current() => new(Capabilities.LastCapability(), Capabilities.Held());
}
