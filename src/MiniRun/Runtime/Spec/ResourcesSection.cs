using MiniRun.Containers;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// linux.resources both ways: from `run`'s flags (--memory, --cpus, --cpu-shares, --pids-limit and the device
/// allow-list Docker gives), and back to the <see cref="CgroupLimits"/> the cgroup managers write.
/// </summary>
public static class ResourcesSection
{
    /// <param name="requested">--device: each let through with its permissions, after Docker's defaults.</param>
    public static LinuxResources From(ContainerResources resources, bool privileged, IReadOnlyList<DeviceRequest>? requested = null)
    {
        IReadOnlyList<DeviceRule> rules = resources.ToLimits(privileged, requested).Devices; // the same allow-list the managers write
        var devices = new List<LinuxDeviceCgroup>(rules.Count);
        foreach (DeviceRule rule in rules)
            devices.Add(new LinuxDeviceCgroup
            {
                Allow = rule.Allow,
                Type = rule.Type == 'a' ? null : rule.Type.ToString(), // unset is "all", as Docker writes it
                Major = rule.Major,
                Minor = rule.Minor,
                Access = rule.Access,
            });
        return new LinuxResources
        {
            Devices = devices,
            // Swap equal to the limit: no swap beyond it (MiniRun's --memory, Docker's --memory-swap equal to --memory).
            Memory = resources.MemoryBytes is { } memory ? new LinuxMemory { Limit = memory, Swap = memory } : null,
            Cpu = resources.Cpus is null && resources.CpuShares is null ? null : new LinuxCpu
            {
                Shares = resources.CpuShares is { } shares ? (ulong)shares : null,
                Quota = resources.Cpus is { } cpus ? (long)Math.Round(cpus * CgroupLimits.CpuPeriodMicros) : null,
                Period = resources.Cpus is not null ? CgroupLimits.CpuPeriodMicros : null,
            },
            Pids = resources.PidsLimit is { } pids ? new LinuxPids { Limit = pids } : null,
        };
    }

    /// <summary>What the cgroup managers write for these resources; a memory+swap total below the limit is refused by name.</summary>
    public static CgroupLimits ToLimits(LinuxResources? resources)
    {
        if (resources is null) return new CgroupLimits();
        // 0 is unset, as runc reads a limit (Docker's update sends 0 for what it leaves as it is); swap goes with a limit.
        long? memoryLimit = resources.Memory?.Limit is { } limit and not 0 ? limit : null;
        long? pidsLimit = resources.Pids?.Limit is { } pids and not 0 ? pids : null;
        if (resources.Memory is { Swap: { } swap } && memoryLimit is not null && swap != -1 && swap < memoryLimit)
            throw new MiniRunException($"linux.resources.memory.swap {swap}: memory plus swap needs a memory limit below it (or -1: no swap limit)");
        UnknownMembers.Refuse("linux.resources.", resources.Unknown, "blockIO", "hugepageLimits", "network", "rdma", "unified");
        UnknownMembers.Refuse("linux.resources.memory.", resources.Memory?.Unknown, "useHierarchy", "checkBeforeUpdate");
        UnknownMembers.Refuse("linux.resources.cpu.", resources.Cpu?.Unknown, "burst", "realtimeRuntime", "realtimePeriod", "idle");
        if (resources.Cpu is { Period: > 1_000_000 or (> 0 and < 1000) } badPeriod)
            throw new MiniRunException($"linux.resources.cpu.period {badPeriod.Period}: the kernel takes 1000 to 1000000 µs");
        var devices = new List<DeviceRule>();
        foreach (LinuxDeviceCgroup rule in resources.Devices ?? [])
        {
            char type = rule.Type is null or "" or "a" ? 'a' : rule.Type is "c" or "b" ? rule.Type[0]
                : throw new MiniRunException($"linux.resources.devices: type \"{rule.Type}\" is not a, c or b");
            devices.Add(new DeviceRule(rule.Allow, type, rule.Major, rule.Minor, rule.Access ?? "rwm"));
        }
        // The default devices every container gets (config-linux.md) stay usable whatever the spec denies, as runc appends them.
        if (devices.Count > 0 && !devices.Exists(d => d is { Allow: true, Type: 'a' }))
            foreach (DeviceRule allow in DeviceRule.DockerDefaults().Skip(1))
                if (!devices.Contains(allow)) devices.Add(allow);
        return new CgroupLimits
        {
            MemoryBytes = memoryLimit,
            MemorySwapBytes = memoryLimit is null || resources.Memory?.Swap is null or 0 || resources.Memory.Swap == memoryLimit ? null : resources.Memory.Swap,
            MemoryReservation = resources.Memory?.Reservation is { } reservation and not 0 ? reservation : null,
            KernelMemory = resources.Memory?.Kernel is { } kernel and not 0 ? kernel : null,
            KernelTcpMemory = resources.Memory?.KernelTcp is { } tcp and not 0 ? tcp : null,
            MemorySwappiness = resources.Memory?.Swappiness is { } swappiness and <= 100 ? swappiness
                : resources.Memory?.Swappiness is null ? null
                : throw new MiniRunException($"config.json: linux.resources.memory.swappiness {resources.Memory.Swappiness}: 0 to 100"),
            DisableOomKiller = resources.Memory?.DisableOomKiller == true,
            PidsLimit = pidsLimit,
            // 0 is unset, as runc reads them (Docker writes shares 0 when --cpu-shares is not given).
            Cpus = resources.Cpu?.Quota is { } quota and > 0 ? (double)quota / (long)(resources.Cpu.Period is { } p and not 0 ? p : CgroupLimits.CpuPeriodMicros) : null,
            CpuPeriod = resources.Cpu?.Period is { } cpuPeriod and not 0 ? (long)cpuPeriod : null,
            CpusetCpus = resources.Cpu?.Cpus is { Length: > 0 } cpus ? cpus : null,
            CpusetMems = resources.Cpu?.Mems is { Length: > 0 } mems ? mems : null,
            CpuShares = resources.Cpu?.Shares is { } shares and not 0 ? (long)shares : null,
            Devices = devices,
        };
    }
}
