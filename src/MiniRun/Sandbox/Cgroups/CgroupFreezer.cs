using MiniRun.Native;

namespace MiniRun.Sandbox.Cgroups;

/// <summary>
/// The freezer, both versions: a write asks the kernel to stop every task of the cgroup, which happens task by task, so
/// the state is read back until it says frozen (cgroup-v1/freezer-subsystem.rst: FREEZING then FROZEN; cgroup-v2.rst:
/// cgroup.events "frozen 1"). runc's freeze loop does the same, and gives up after a while: a task stuck in the kernel
/// (uninterruptible sleep) can hold a freeze off; then the cgroup is thawed again and the caller is told.
/// </summary>
internal static class CgroupFreezer
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <param name="request">writes the freeze request (v1 writes it again on each try, as runc does).</param>
    public static void Freeze(string dir, Action request, Func<bool> isFrozen, Action thaw)
    {
        if (!Directory.Exists(dir)) throw new MiniRunException($"cannot pause the container: its cgroup {dir} is missing");
        DateTime deadline = DateTime.UtcNow + Patience;
        for (int attempt = 0; ; attempt++)
        {
            request();
            if (isFrozen()) return;
            if (DateTime.UtcNow > deadline)
            {
                thaw();
                throw new MiniRunException($"cannot pause the container: its cgroup {dir} did not freeze within {Patience.TotalSeconds:0} s");
            }
            Thread.Sleep(attempt < 10 ? 1 : 10);
        }
    }

    /// <summary>The value of a "key value" line of <paramref name="file"/> is <paramref name="expected"/>.</summary>
    public static bool Reads(string dir, string file, string expected) =>
        (KernelFiles.TryReadAll(Path.Combine(dir, file)) ?? "").Trim() == expected;
}
