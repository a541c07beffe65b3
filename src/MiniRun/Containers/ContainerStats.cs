using System.Globalization;
using MiniRun.Native;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Containers;

/// <summary>
/// One reading of a container for `stats`, with the host's CPU time at that moment: its cgroup's counters
/// (<see cref="CgroupUsage"/>) and, for the CPU %, the whole machine's time from /proc/stat, as Docker's daemon samples
/// them (daemon/stats: getSystemCPUUsage, the number of online CPUs). A container that is not running reads zeros; a running one without a cgroup is refused.
/// </summary>
public sealed record StatsSample(bool Running, CgroupUsage Usage, long MemoryLimit, long SystemNanos, int OnlineCpus)
{
    /// <summary>
    /// Docker's CPU %: the container's CPU time over the machine's, between two readings, times the online CPUs
    /// (cli/command/container/stats_helpers.go calculateCPUPercentUnix): one busy thread on any machine reads 100%.
    /// </summary>
    public static double CpuPercent(StatsSample before, StatsSample after)
    {
        double cpu = after.Usage.CpuNanos - before.Usage.CpuNanos, system = after.SystemNanos - before.SystemNanos;
        return cpu > 0 && system > 0 ? cpu / system * after.OnlineCpus * 100 : 0;
    }

    /// <summary>Memory in use over its limit, in percent (0 without a limit to compare with).</summary>
    public double MemoryPercent => MemoryLimit > 0 ? (double)Usage.MemoryBytes / MemoryLimit * 100 : 0;
}

public static class ContainerStats
{
    private static readonly CgroupUsage Nothing = new(0, 0, null, 0, 0, 0);

    /// <summary>Reads the container now; <paramref name="cgroups"/> is this host's manager (null: no cgroups).</summary>
    public static StatsSample Sample(ContainerStore containers, Container container, ICgroupManager? cgroups)
    {
        (long system, int cpus) = SystemCpu();
        if (!containers.Observe(container).Running) return new StatsSample(false, Nothing, 0, system, cpus);
        // A running container without a group of its own (rootless, see ContainerCgroup) has no counters to read: refused
        // rather than shown as zeros, as Podman refuses stats rootless without cgroup v2 (one that stopped meanwhile: zeros).
        if (!ContainerCgroup.Exists(cgroups, container))
            return containers.Observe(container).Running ? throw new MiniRunException(ContainerCgroup.Missing("stats", container)) : new StatsSample(false, Nothing, 0, system, cpus);
        string name = CgroupNames.For(container.Id);
        CgroupUsage usage = cgroups.ReadUsage(name);
        // Without the pids controller the count is of the processes the cgroup lists.
        if (usage.Pids == 0) usage = usage with { Pids = CgroupProcesses.Pids(cgroups, name).Count };
        // No limit, or one above the machine's memory: the machine's (as the daemon reports it).
        long machine = MachineMemory();
        return new StatsSample(true, usage, usage.MemoryLimit is { } limit && (machine == 0 || limit < machine) ? limit : machine, system, cpus);
    }

    /// <summary>
    /// The machine's CPU time in nanoseconds (the first seven fields of /proc/stat's "cpu" line, in USER_HZ ticks, as
    /// the daemon sums them) and how many CPUs are online (its "cpuN" lines).
    /// </summary>
    public static (long Nanos, int OnlineCpus) SystemCpu()
    {
        long ticks = 0;
        int cpus = 0;
        foreach (string line in (KernelFiles.TryReadAll("/proc/stat") ?? "").Split('\n'))
        {
            if (!line.StartsWith("cpu", StringComparison.Ordinal)) continue;
            if (line.StartsWith("cpu ", StringComparison.Ordinal))
                foreach (string field in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(7)) ticks += long.Parse(field, CultureInfo.InvariantCulture);
            else cpus++;
        }
        const long NanosPerTick = 1_000_000_000 / 100; // USER_HZ is 100 on every Linux MiniRun runs on
        return (ticks * NanosPerTick, cpus);
    }

    /// <summary>MemTotal of /proc/meminfo, in bytes (0 when unreadable).</summary>
    private static long MachineMemory()
    {
        foreach (string line in (KernelFiles.TryReadAll("/proc/meminfo") ?? "").Split('\n'))
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal)
                && long.TryParse(line["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture, out long kib))
                return kib * 1024;
        return 0;
    }
}
