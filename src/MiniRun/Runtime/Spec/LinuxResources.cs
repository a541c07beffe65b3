namespace MiniRun.Runtime.Spec;

/// <summary>config-linux.md "Control groups": the limits the runtime writes into the container's cgroup.</summary>
public sealed class LinuxResources
{
    /// <summary>The devices cgroup's allow-list, in order: the first matching rule decides.</summary>
    public List<LinuxDeviceCgroup>? Devices { get; set; }
    public LinuxMemory? Memory { get; set; }
    public LinuxCpu? Cpu { get; set; }
    public LinuxPids? Pids { get; set; }

    /// <summary>Members MiniRun has no type for, as read (<see cref="OciSpecJson"/>): those the runtime-spec defines are refused by name (<see cref="UnknownMembers"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

/// <summary>One devices-cgroup rule: allow or deny a type ("a", "c", "b"; unset = all) major:minor (unset = any) access ("rwm").</summary>
public sealed class LinuxDeviceCgroup
{
    public bool Allow { get; set; }
    public string? Type { get; set; }
    public long? Major { get; set; }
    public long? Minor { get; set; }
    public string? Access { get; set; }
}

/// <summary>Bytes: the memory limit, and memory plus swap (equal: no swap beyond the limit).</summary>
public sealed class LinuxMemory
{
    public long? Limit { get; set; }
    public long? Swap { get; set; }
    /// <summary>The soft limit (v1 memory.soft_limit_in_bytes, v2 memory.low).</summary>
    public long? Reservation { get; set; }
    /// <summary>v1 only: kernel memory limits (the kernel accepts and no longer enforces them), swappiness, the OOM killer off.</summary>
    public long? Kernel { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("kernelTCP")]
    public long? KernelTcp { get; set; }
    public ulong? Swappiness { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("disableOOMKiller")]
    public bool DisableOomKiller { get; set; }

    /// <summary>Members MiniRun has no type for, as read (<see cref="OciSpecJson"/>): those the runtime-spec defines are refused by name (<see cref="UnknownMembers"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

/// <summary>The CFS weight (v1 shares) and bandwidth: <see cref="Quota"/> µs of CPU time per <see cref="Period"/> µs.</summary>
public sealed class LinuxCpu
{
    public ulong? Shares { get; set; }
    public long? Quota { get; set; }
    public ulong? Period { get; set; }
    /// <summary>The cpuset: CPUs and memory nodes in the kernel's list format ("0-3,6").</summary>
    public string? Cpus { get; set; }
    public string? Mems { get; set; }

    /// <summary>Members MiniRun has no type for, as read (<see cref="OciSpecJson"/>): those the runtime-spec defines are refused by name (<see cref="UnknownMembers"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

/// <summary>The most tasks the cgroup may hold.</summary>
public sealed class LinuxPids
{
    public long Limit { get; set; }
}
