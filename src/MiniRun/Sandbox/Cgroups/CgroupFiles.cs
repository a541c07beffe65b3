using MiniRun.Native;

namespace MiniRun.Sandbox.Cgroups;

/// <summary>The file operations both cgroup versions share: mkdir, one-write values, counters, rmdir with retry.</summary>
internal static class CgroupFiles
{
    public static void Write(string dir, string file, string value) => KernelFiles.Write(Path.Combine(dir, file), value);

    /// <summary>The number after <paramref name="key"/> in a "key value" file (memory.events, memory.oom_control).</summary>
    public static long ReadCounter(string dir, string file, string key)
    {
        string path = Path.Combine(dir, file);
        if (!File.Exists(path)) return 0;
        foreach (string line in File.ReadLines(path))
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
