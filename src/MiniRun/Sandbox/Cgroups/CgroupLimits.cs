namespace MiniRun.Sandbox.Cgroups;

/// <summary>What a container may use: the values of --memory, --pids-limit, --cpus, --cpu-shares and the device allow-list.</summary>
public sealed record CgroupLimits
{
    /// <summary>Bytes of memory; swap is limited to the same total, so the limit holds (Docker's --memory-swap equal to --memory).</summary>
    public long? MemoryBytes { get; init; }
    /// <summary>Memory plus swap, bytes (Docker's --memory-swap; runtime-spec memory.swap); null: the memory limit; -1: no limit.</summary>
    public long? MemorySwapBytes { get; init; }
    public long? PidsLimit { get; init; }
    /// <summary>CPUs as a fraction (0.5 = half of one CPU), applied as a CFS quota per 100 ms period.</summary>
    public double? Cpus { get; init; }
    /// <summary>Relative CPU weight, v1 cpu.shares (default 1024); v2 converts it to cpu.weight.</summary>
    public long? CpuShares { get; init; }
    /// <summary>Device rules in order, Docker's default first rule being "deny all"; empty means no devices cgroup changes.</summary>
    public IReadOnlyList<DeviceRule> Devices { get; init; } = [];

    public const long CpuPeriodMicros = 100_000;

    public long? CpuQuotaMicros => Cpus is { } c ? (long)Math.Round(c * CpuPeriodMicros) : null;

    /// <summary>runc's conversion from cpu.shares [2, 262144] to cpu.weight [1, 10000] (runc libcontainer/cgroups/utils.go).</summary>
    public static long SharesToWeight(long shares) => shares == 0 ? 0 : 1 + (Math.Clamp(shares, 2, 262144) - 2) * 9999 / 262142;

    public bool RequestsMemory => MemoryBytes is not null;
    public bool RequestsPids => PidsLimit is not null;
    public bool RequestsCpu => Cpus is not null || CpuShares is not null;
}
