namespace MiniRun.Sandbox.Cgroups;

/// <summary>What a container may use: the values of --memory, --pids-limit, --cpus, --cpu-shares and the device allow-list.</summary>
public sealed record CgroupLimits
{
    /// <summary>Bytes of memory; swap is limited to the same total, so the limit holds (Docker's --memory-swap equal to --memory).</summary>
    public long? MemoryBytes { get; init; }
    /// <summary>Memory plus swap, bytes (Docker's --memory-swap; runtime-spec memory.swap); null: the memory limit; -1: no limit.</summary>
    public long? MemorySwapBytes { get; init; }
    public long? PidsLimit { get; init; }
    /// <summary>linux.resources.memory's other members, as runc writes them (v1 files; v2 has memory.low alone).</summary>
    public long? MemoryReservation { get; init; }
    public long? KernelMemory { get; init; }
    public long? KernelTcpMemory { get; init; }
    public ulong? MemorySwappiness { get; init; }
    public bool DisableOomKiller { get; init; }
    /// <summary>CPUs as a fraction (0.5 = half of one CPU), applied as a CFS quota per 100 ms period.</summary>
    public double? Cpus { get; init; }
    /// <summary>Relative CPU weight, v1 cpu.shares (default 1024); v2 converts it to cpu.weight.</summary>
    public long? CpuShares { get; init; }
    /// <summary>The CFS period in µs the quota is per (linux.resources.cpu.period); null: 100 ms.</summary>
    public long? CpuPeriod { get; init; }
    /// <summary>cpuset.cpus and cpuset.mems (linux.resources.cpu.cpus, mems); null: the parent's.</summary>
    public string? CpusetCpus { get; init; }
    public string? CpusetMems { get; init; }
    /// <summary>Device rules in order, Docker's default first rule being "deny all"; empty means no devices cgroup changes.</summary>
    public IReadOnlyList<DeviceRule> Devices { get; init; } = [];

    public const long CpuPeriodMicros = 100_000;

    public long? CpuQuotaMicros => Cpus is { } c ? (long)Math.Round(c * Period) : null;

    /// <summary>The period the quota is written with.</summary>
    public long Period => CpuPeriod ?? CpuPeriodMicros;

    /// <summary>runc's conversion from cpu.shares [2, 262144] to cpu.weight [1, 10000] (runc libcontainer/cgroups/utils.go).</summary>
    public static long SharesToWeight(long shares) => shares == 0 ? 0 : 1 + (Math.Clamp(shares, 2, 262144) - 2) * 9999 / 262142;

    public bool RequestsMemory => MemoryBytes is not null || MemoryReservation is not null || RequestsV1MemoryOnly;

    /// <summary>Members that only v1's memory controller has files for.</summary>
    public bool RequestsV1MemoryOnly => KernelMemory is not null || KernelTcpMemory is not null || MemorySwappiness is not null || DisableOomKiller;
    public bool RequestsPids => PidsLimit is not null;
    public bool RequestsCpu => Cpus is not null || CpuShares is not null || CpuPeriod is not null;
    public bool RequestsCpuset => CpusetCpus is not null || CpusetMems is not null;
}
