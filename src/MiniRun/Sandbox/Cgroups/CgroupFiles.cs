using MiniRun.Explain;
using MiniRun.Native;

namespace MiniRun.Sandbox.Cgroups;

/// <summary>The file operations both cgroup versions share: mkdir, one-write values, counters, rmdir with retry.</summary>
internal static class CgroupFiles
{
    public static void Write(string dir, string file, string value) => KernelFiles.Write(Path.Combine(dir, file), value);

    /// <summary>The write as a narrated step: printed for --explain, only recorded for --dry-run.</summary>
    public static void Write(IStepNarrator? narrator, string dir, string file, string value)
    {
        string path = Path.Combine(dir, file);
        narrator?.Narrate(new Step($"echo {ShellQuote.Quote(value)} > {ShellQuote.Quote(path)}", Why(file)));
        if (narrator?.Performs ?? true) KernelFiles.Write(path, value);
    }

    /// <summary>
    /// Several values for one file (device rules), narrated one echo each and written as echo writes them, a line per
    /// write(2), through one open (<see cref="KernelFiles.Write(string, IReadOnlyList{string})"/>).
    /// </summary>
    public static void Write(IStepNarrator? narrator, string dir, string file, IReadOnlyList<string> values)
    {
        string path = Path.Combine(dir, file);
        var lines = new List<string>(values.Count);
        foreach (string value in values)
        {
            narrator?.Narrate(new Step($"echo {ShellQuote.Quote(value)} > {ShellQuote.Quote(path)}", Why(file)));
            lines.Add(value + "\n");
        }
        if (narrator?.Performs ?? true) KernelFiles.Write(path, lines);
    }

    /// <summary>mkdir of a cgroup (and its parents), narrated like <see cref="Write(IStepNarrator?, string, string, string)"/>.</summary>
    public static void MakeDirectory(IStepNarrator? narrator, string dir)
    {
        narrator?.Narrate(new Step($"mkdir -p {ShellQuote.Quote(dir)}", "a cgroup is a directory; the kernel fills it with the controllers' files"));
        if (narrator?.Performs ?? true) Directory.CreateDirectory(dir);
    }

    private static string Why(string file) => file switch
    {
        "cgroup.subtree_control" => "enable the controllers for the cgroups below (cgroup v2: top down)",
        "cgroup.procs" => "the process joins the cgroup; its children will be in it too",
        "memory.max" or "memory.limit_in_bytes" => "the memory limit, in bytes: past it the kernel reclaims, then OOM-kills",
        "memory.swap.max" or "memory.memsw.limit_in_bytes" => "no swapping past the memory limit",
        "pids.max" => "at most this many processes: fork() fails beyond",
        "cpu.max" or "cpu.cfs_quota_us" or "cpu.cfs_period_us" => "CPU time: a quota per 100 ms period",
        "cpu.weight" or "cpu.shares" => "relative CPU weight under contention",
        "cpuset.cpus" or "cpuset.mems" => "a new cpuset cgroup has no CPUs or memory nodes until they are copied from its parent",
        "cgroup.clone_children" => "new cpuset cgroups below copy their CPUs and memory nodes from this one",
        "devices.allow" or "devices.deny" => "device access rule (cgroup v1 devices controller): deny all, then allow the standard nodes",
        _ => "a cgroup setting",
    };

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

    /// <summary>rmdir(2) of a cgroup: EBUSY while exiting processes are still being removed from it, so retry for 2 s.</summary>
    public static void RemoveDirectory(string dir)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(2);
        while (true)
        {
            int errno = KernelFiles.TryRemoveDirectory(dir);
            if (errno is 0 or Errnos.ENOENT) return;
            if (errno != Errnos.EBUSY || DateTime.UtcNow > deadline) throw new NativeException("rmdir", dir, errno);
            Thread.Sleep(10);
        }
    }

    public static MiniRunException Missing(string flag, string controller, string version, string where) =>
        new($"{flag} needs the {controller} cgroup controller, which is not available in the cgroup {version} hierarchy at {where} (see `minirun doctor`)");
}
