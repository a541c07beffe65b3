using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Containers;

/// <summary>The resource flags of `run` (--memory, --pids-limit, --cpus, --cpu-shares), kept in the container's record.</summary>
public sealed record ContainerResources
{
    public long? MemoryBytes { get; init; }
    public long? PidsLimit { get; init; }
    public double? Cpus { get; init; }
    public long? CpuShares { get; init; }

    /// <summary>The cgroup limits, with the device allow-list Docker uses (every device when privileged).</summary>
    public CgroupLimits ToLimits(bool privileged) => new()
    {
        MemoryBytes = MemoryBytes,
        PidsLimit = PidsLimit,
        Cpus = Cpus,
        CpuShares = CpuShares,
        Devices = privileged ? DeviceRule.AllowAll() : DeviceRule.DockerDefaults(),
    };
}
