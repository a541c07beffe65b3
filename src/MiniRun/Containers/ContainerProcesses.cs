using System.Globalization;
using MiniRun.Native;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Containers;

/// <summary>One row of `top`: what `ps -ef` on the host shows of a process of the container (Docker's columns).</summary>
public sealed record ProcessRow(string Uid, int Pid, int ParentPid, string Started, string Tty, string Time, string Command);

/// <summary>
/// `top`: the processes of a running container, as the host sees them: every PID in its cgroup (cgroup.procs), or in
/// its PID namespace where it has no cgroup (rootless), each read from /proc as `ps -ef` reads it, which is what docker
/// top runs and filters.
/// </summary>
public static class ContainerProcesses
{
    public static List<ProcessRow> List(ContainerStore containers, Container container)
    {
        ContainerStatus status = containers.Observe(container);
        if (!status.Running) throw new MiniRunException($"container {container.Id} is not running");
        // Its own cgroup where it has one (root's containers): one read per hierarchy, and it holds every process, those
        // of a PID namespace nested in the container too. Without one (a rootless container stays in the user's cgroup):
        // the processes of its PID namespace, as Podman's rootless top lists them; a scan of /proc, which misses nested
        // PID namespaces and would list the whole host for --pid host (refused rootless, and asked for a cgroup here).
        SortedSet<int> pids;
        if (ContainerCgroup.Find(container) is { } cgroups) pids = CgroupProcesses.Pids(cgroups, CgroupNames.For(container.Id));
        else if (container.Record.Namespaces.PidHost) throw new MiniRunException(ContainerCgroup.Missing("top", container));
        else pids = PidNamespaceMembers(container, status.Pid);
        // Read once for every row: the boot's age (start times) and the host's user names.
        double uptime = double.Parse((KernelFiles.TryReadFirstLine("/proc/uptime") ?? "0").Split(' ')[0], CultureInfo.InvariantCulture);
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string entry in File.Exists("/etc/passwd") ? File.ReadLines("/etc/passwd") : [])
            if (entry.Split(':') is [var name, _, var id, ..]) users.TryAdd(id, name);
        List<(long Inside, long Outside, long Count)> uidMap = UidMap();
        var rows = new List<ProcessRow>();
        foreach (int pid in pids)
            if (Row(pid, uptime, users, uidMap) is { } row) rows.Add(row);
        return rows;
    }

    /// <summary>Every process whose /proc/N/ns/pid is the init's (pid_namespaces(7): the link names the namespace).
    /// The host's /proc, also in the rootless mount namespace: its PIDs are the host's.</summary>
    private static SortedSet<int> PidNamespaceMembers(Container container, int init)
    {
        string ns = PidNamespace(init) ?? throw new MiniRunException($"container {container.Id} is not running");
        var pids = new SortedSet<int>();
        foreach (string entry in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && PidNamespace(pid) == ns) pids.Add(pid);
        return pids;
    }

    /// <summary>The PID namespace's link, or null: gone meanwhile, or not ours to look at (EACCES: another user's process).</summary>
    private static string? PidNamespace(int pid)
    {
        try { return Syscalls.TryReadLink($"/proc/{pid}/ns/pid"); }
        catch (NativeException) { return null; }
    }

    private static ProcessRow? Row(int pid, double uptime, Dictionary<string, string> users, List<(long Inside, long Outside, long Count)> uidMap)
    {
        if (KernelFiles.TryReadAll($"/proc/{pid}/stat") is not { } stat) return null; // gone meanwhile
        string comm = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
        string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // f[0] is field 3 (state)
        const double Hz = 100; // USER_HZ on every Linux that MiniRun runs on
        DateTimeOffset started = DateTimeOffset.Now - TimeSpan.FromSeconds(uptime - long.Parse(f[19], CultureInfo.InvariantCulture) / Hz);
        long cpuSeconds = (long)((long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / Hz);
        string cmdline = (KernelFiles.TryReadAll($"/proc/{pid}/cmdline") ?? "").TrimEnd('\0').Replace('\0', ' ');
        return new ProcessRow(
            User(pid, users, uidMap), pid, int.Parse(f[1], CultureInfo.InvariantCulture),
            started.Date == DateTimeOffset.Now.Date ? started.ToString("HH:mm", CultureInfo.InvariantCulture) : started.ToString("MMMdd", CultureInfo.InvariantCulture),
            Tty(int.Parse(f[4], CultureInfo.InvariantCulture)),
            $"{cpuSeconds / 3600:00}:{cpuSeconds / 60 % 60:00}:{cpuSeconds % 60:00}",
            cmdline.Length > 0 ? cmdline : $"[{comm}]");
    }

    /// <summary>The real UID's name in the host's passwd, as ps prints it (the number when there is none).</summary>
    private static string User(int pid, Dictionary<string, string> users, List<(long Inside, long Outside, long Count)> uidMap)
    {
        string? line = (KernelFiles.TryReadAll($"/proc/{pid}/status") ?? "").Split('\n').FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        string uid = line?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] ?? "?";
        if (long.TryParse(uid, NumberStyles.None, CultureInfo.InvariantCulture, out long inside))
            foreach ((long start, long outside, long count) in uidMap)
                if (inside >= start && inside - start < count)
                {
                    uid = (outside + inside - start).ToString(CultureInfo.InvariantCulture);
                    break;
                }
        return users.GetValueOrDefault(uid, uid);
    }

    /// <summary>
    /// This process's uid_map (user_namespaces(7)): /proc shows a UID as the reader's user namespace maps it, and the
    /// rootless child's 0 is the user; the map gives the host's UID back, which is what ps -ef on the host shows (the
    /// identity as real root).
    /// </summary>
    private static List<(long Inside, long Outside, long Count)> UidMap()
    {
        var map = new List<(long, long, long)>();
        foreach (string line in (KernelFiles.TryReadAll("/proc/self/uid_map") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var a, var b, var c]
                && long.TryParse(a, CultureInfo.InvariantCulture, out long inside) && long.TryParse(b, CultureInfo.InvariantCulture, out long outside)
                && long.TryParse(c, CultureInfo.InvariantCulture, out long count))
                map.Add((inside, outside, count));
        return map;
    }

    /// <summary>stat's tty_nr as ps names it: pts/N for the pty majors, ? for none.</summary>
    private static string Tty(int ttyNr)
    {
        if (ttyNr == 0) return "?";
        int major = (ttyNr >> 8) & 0xfff, minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
        return major is >= 136 and <= 143 ? $"pts/{(major - 136) * 256 + minor}" : "?";
    }
}
