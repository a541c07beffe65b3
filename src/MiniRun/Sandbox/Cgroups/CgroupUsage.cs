namespace MiniRun.Sandbox.Cgroups;

/// <summary>
/// What a container's cgroup has counted, as `docker stats` reads it: CPU time used (ns), memory in use without the
/// inactive file cache (Docker's "usage - inactive_file"), the memory limit (null: none), bytes read from and written
/// to block devices, and the number of processes. A counter whose controller this host lacks reads 0.
/// </summary>
public sealed record CgroupUsage(long CpuNanos, long MemoryBytes, long? MemoryLimit, long BlockRead, long BlockWrite, long Pids)
{
    /// <summary>"usage - inactive file", as Docker's CLI computes it (calculateMemUsageUnixNoCache), never below 0.</summary>
    public static long WithoutInactiveFile(long usage, long inactiveFile) => inactiveFile < usage ? usage - inactiveFile : usage;
}
