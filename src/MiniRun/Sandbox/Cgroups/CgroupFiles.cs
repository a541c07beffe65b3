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

    /// <summary>A file of one number (memory.current, pids.current); null when absent, empty or "max".</summary>
    public static long? ReadNumber(string dir, string file) =>
        long.TryParse((KernelFiles.TryReadAll(Path.Combine(dir, file)) ?? "").Trim(), out long value) ? value : null;

    /// <summary>
    /// Bytes read and written, summed over the devices: v1's blkio "MAJ:MIN Read N" lines (the "Total" line skipped),
    /// v2's io.stat "MAJ:MIN rbytes=N wbytes=N …" lines, as `docker stats` adds them up.
    /// </summary>
    public static (long Read, long Write) ReadBlockIo(string? text)
    {
        long read = 0, write = 0;
        foreach (string line in (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 3 && long.TryParse(f[2], out long n))
            {
                if (f[1].Equals("read", StringComparison.OrdinalIgnoreCase)) read += n;
                else if (f[1].Equals("write", StringComparison.OrdinalIgnoreCase)) write += n;
                continue;
            }
            foreach (string field in f.Skip(1))
            {
                if (field.StartsWith("rbytes=", StringComparison.Ordinal) && long.TryParse(field[7..], out long r)) read += r;
                else if (field.StartsWith("wbytes=", StringComparison.Ordinal) && long.TryParse(field[7..], out long w)) write += w;
            }
        }
        return (read, write);
    }

    public static MiniRunException Missing(string flag, string controller, string version, string where) =>
        new($"{flag} needs the {controller} cgroup controller, which is not available in the cgroup {version} hierarchy at {where} (see `minirun doctor`)");
}
