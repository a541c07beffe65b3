using System.Globalization;
using MiniRun.Native;

namespace MiniRun.Sandbox.Cgroups;

/// <summary>The processes of a container's cgroup, whichever version: `top` lists them, a teardown kills those left.</summary>
public static class CgroupProcesses
{
    /// <summary>Every PID in the group and below it (a limit's leaf, on v1), in each hierarchy: exec'd processes too.</summary>
    public static SortedSet<int> Pids(ICgroupManager cgroups, string name)
    {
        var pids = new SortedSet<int>();
        foreach (string dir in cgroups.Directories(name))
            foreach (string file in Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "cgroup.procs", SearchOption.AllDirectories) : [])
                if (KernelFiles.TryReadAll(file) is { } text)
                    foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries)) pids.Add(int.Parse(line, CultureInfo.InvariantCulture));
        return pids;
    }

    /// <summary>
    /// SIGKILL to every process still in the cgroup, frozen meanwhile so that none forks past the list (runc's
    /// signalAllProcesses), then waits (2 s at most) until they are gone. For a container without a PID namespace of
    /// its own (--pid host), whose PID 1's exit kills nothing else; with one, the kernel has killed them already.
    /// </summary>
    public static void KillAll(ICgroupManager cgroups, string name)
    {
        if (Pids(cgroups, name).Count == 0) return;
        bool frozen = false;
        try
        {
            cgroups.Freeze(name);
            frozen = true;
        }
        catch (MiniRunException) { } // no freezer: killed as listed
        foreach (int pid in Pids(cgroups, name)) Syscalls.Kill(pid, Signal.Kill);
        if (frozen) cgroups.Thaw(name); // a frozen process dies only once thawed
        for (DateTime deadline = DateTime.UtcNow.AddSeconds(2); Pids(cgroups, name).Count > 0 && DateTime.UtcNow < deadline;) Thread.Sleep(10);
    }
}
