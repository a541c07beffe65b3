using MiniRun.Native;

namespace MiniRun.Sandbox.Cgroups;

/// <summary>
/// The first move of a process between cgroups after the hierarchies were idle waits for an RCU grace period (the
/// writer side of the kernel's cgroup_threadgroup_rwsem: percpu_down_write → rcu_sync_enter), about 10 ms here, and
/// the moves right after it are cheap (0.1 ms). The OCI runtime's create has little to do while its stage sets up, so
/// that wait was a third of a bundle's whole life. A move of this process into the unified group it is already in, on
/// a thread of its own, starts the grace period at once; the stage's own move, a few milliseconds later, waits only
/// for the rest of it.
/// </summary>
public static class MigrationWarmup
{
    /// <summary>Starts the move on a thread of its own and returns it at once; a failure is ignored (it only saves time).</summary>
    public static Thread Start()
    {
        var thread = new Thread(MoveIntoOwnGroup) { IsBackground = true, Name = "cgroup-warmup" };
        thread.Start();
        return thread;
    }

    private static void MoveIntoOwnGroup()
    {
        try
        {
            if (CgroupDetector.ReadLayout().V2MountPoint is not { } unified) return; // v1 alone: no unified group to move within
            string? own = (KernelFiles.TryReadAll("/proc/self/cgroup") ?? "").Split('\n').FirstOrDefault(line => line.StartsWith("0::/", StringComparison.Ordinal));
            if (own is not null) LinuxSyscalls.Instance.WriteKernelFile(Path.Combine(unified, own[4..], "cgroup.procs"), "0"); // "0": this process
        }
        catch (Exception e) when (e is NativeException or IOException or UnauthorizedAccessException) { }
    }
}
