using MiniRun.Containers;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// linux.resources both ways: from `run`'s flags (--memory, --cpus, --cpu-shares, --pids-limit and the device
/// allow-list Docker gives), and back to the <see cref="CgroupLimits"/> the cgroup managers write.
/// </summary>
public static class ResourcesSection
{
    public static LinuxResources From(ContainerResources resources, bool privileged)
    {
        IReadOnlyList<DeviceRule> rules = privileged ? DeviceRule.AllowAll() : DeviceRule.DockerDefaults();
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

    /// <summary>What the cgroup managers write for these resources; a swap other than the limit is refused by name.</summary>
    public static CgroupLimits ToLimits(LinuxResources? resources)
    {
        if (resources is null) return new CgroupLimits();
        if (resources.Memory is { Swap: { } swap } memory && swap != memory.Limit)
            throw new MiniRunException($"linux.resources.memory.swap {swap}: minirun limits memory and swap to one total; give swap equal to limit");
        UnknownMembers.Refuse("linux.resources.", resources.Unknown, "blockIO", "hugepageLimits", "network", "rdma", "unified");
        UnknownMembers.Refuse("linux.resources.memory.", resources.Memory?.Unknown, "useHierarchy", "checkBeforeUpdate");
        UnknownMembers.Refuse("linux.resources.cpu.", resources.Cpu?.Unknown, "burst", "realtimeRuntime", "realtimePeriod", "idle");
        if (resources.Cpu is { Period: 0 or > 1_000_000 } badPeriod)
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
            MemoryBytes = resources.Memory?.Limit,
            MemoryReservation = resources.Memory?.Reservation,
            KernelMemory = resources.Memory?.Kernel,
            KernelTcpMemory = resources.Memory?.KernelTcp,
            MemorySwappiness = resources.Memory?.Swappiness is { } swappiness and <= 100 ? swappiness
                : resources.Memory?.Swappiness is null ? null
                : throw new MiniRunException($"config.json: linux.resources.memory.swappiness {resources.Memory.Swappiness}: 0 to 100"),
            DisableOomKiller = resources.Memory?.DisableOomKiller == true,
            PidsLimit = resources.Pids?.Limit,
            Cpus = resources.Cpu?.Quota is { } quota and > 0 ? (double)quota / (long)(resources.Cpu.Period ?? CgroupLimits.CpuPeriodMicros) : null,
            CpuPeriod = resources.Cpu?.Period is { } cpuPeriod ? (long)cpuPeriod : null,
            CpusetCpus = resources.Cpu?.Cpus is { Length: > 0 } cpus ? cpus : null,
            CpusetMems = resources.Cpu?.Mems is { Length: > 0 } mems ? mems : null,
            CpuShares = resources.Cpu?.Shares is { } shares ? (long)shares : null,
            Devices = devices,
        };
    }
}
