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
    /// <param name="devices">--device: let through after Docker's defaults.</param>
    public CgroupLimits ToLimits(bool privileged, IEnumerable<DeviceRequest>? devices = null) => new()
    {
        MemoryBytes = MemoryBytes,
        PidsLimit = PidsLimit,
        Cpus = Cpus,
        CpuShares = CpuShares,
        Devices = privileged ? DeviceRule.AllowAll()
            : [.. DeviceRule.DockerDefaults(), .. (devices ?? []).Select(d => new DeviceRule(true, d.Type, d.Major, d.Minor, d.Permissions))],
    };
}
