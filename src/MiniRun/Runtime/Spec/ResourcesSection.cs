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

    /// <summary>What the cgroup managers write for these resources; a memory+swap total below the limit is refused by name.</summary>
    public static CgroupLimits ToLimits(LinuxResources? resources)
    {
        if (resources is null) return new CgroupLimits();
        // 0 is unset, as runc reads a limit (Docker's update sends 0 for what it leaves as it is); swap goes with a limit.
        long? memoryLimit = resources.Memory?.Limit is { } limit and not 0 ? limit : null;
        long? pidsLimit = resources.Pids?.Limit is { } pids and not 0 ? pids : null;
        if (resources.Memory is { Swap: { } swap } && memoryLimit is not null && swap != -1 && swap < memoryLimit)
            throw new MiniRunException($"linux.resources.memory.swap {swap}: memory plus swap needs a memory limit below it (or -1: no swap limit)");
        if (resources.Cpu is { Quota: not (null or 0) } cpu && cpu.Period is { } period and not 0 && period != CgroupLimits.CpuPeriodMicros)
            throw new MiniRunException($"linux.resources.cpu.period {period}: minirun uses a {CgroupLimits.CpuPeriodMicros} µs period");
        var devices = new List<DeviceRule>();
        foreach (LinuxDeviceCgroup rule in resources.Devices ?? [])
        {
            char type = rule.Type is null or "" or "a" ? 'a' : rule.Type is "c" or "b" ? rule.Type[0]
                : throw new MiniRunException($"linux.resources.devices: type \"{rule.Type}\" is not a, c or b");
            devices.Add(new DeviceRule(rule.Allow, type, rule.Major, rule.Minor, rule.Access ?? "rwm"));
        }
        return new CgroupLimits
        {
            MemoryBytes = memoryLimit,
            MemorySwapBytes = memoryLimit is null || resources.Memory?.Swap is null or 0 || resources.Memory.Swap == memoryLimit ? null : resources.Memory.Swap,
            PidsLimit = pidsLimit,
            // 0 is unset, as runc reads them (Docker writes shares 0 when --cpu-shares is not given).
            Cpus = resources.Cpu?.Quota is { } quota and not 0 ? (double)quota / CgroupLimits.CpuPeriodMicros : null,
            CpuShares = resources.Cpu?.Shares is { } shares and not 0 ? (long)shares : null,
            Devices = devices,
        };
    }
}
