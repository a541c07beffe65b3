using MiniRun.Native;

namespace MiniRun.Sandbox.Cgroups;

/// <summary>What both cgroup versions share: one-value writes through the seam, counters, the missing-controller error.</summary>
internal static class CgroupFiles
{
    public static void Write(ISyscalls sys, string dir, string file, string value) => sys.WriteKernelFile(Path.Combine(dir, file), value);

    /// <summary>The number after <paramref name="key"/> in a "key value" file (memory.events, memory.oom_control).</summary>
    public static long ReadCounter(string dir, string file, string key)
    {
        foreach (string line in (KernelFiles.TryReadAll(Path.Combine(dir, file)) ?? "").Split('\n'))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], out long value)) return value;
        }
        return 0;
    }

    public static MiniRunException Missing(string flag, string controller, string version, string where) =>
        new($"{flag} needs the {controller} cgroup controller, which is not available in the cgroup {version} hierarchy at {where} (see `minirun doctor`)");
}
