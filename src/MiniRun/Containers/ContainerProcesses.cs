using System.Globalization;
using MiniRun.Native;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Containers;

/// <summary>One row of `top`: what `ps -ef` on the host shows of a process of the container (Docker's columns).</summary>
public sealed record ProcessRow(string Uid, int Pid, int ParentPid, string Started, string Tty, string Time, string Command);

/// <summary>
/// `top`: the processes of a running container, as the host sees them: every PID in its cgroup (cgroup.procs), each
/// read from /proc as `ps -ef` reads it, which is what docker top runs and filters.
/// </summary>
public static class ContainerProcesses
{
    public static List<ProcessRow> List(ContainerStore containers, Container container)
    {
        if (!containers.Observe(container).Running) throw new MiniRunException($"container {container.Id} is not running");
        ICgroupManager cgroups = CgroupDetector.Detect() ?? throw new MiniRunException("top needs cgroups, and no cgroup filesystem is mounted");
        SortedSet<int> pids = CgroupProcesses.Pids(cgroups, CgroupNames.For(container.Id));
        // Read once for every row: the boot's age (start times) and the host's user names.
        double uptime = double.Parse((KernelFiles.TryReadFirstLine("/proc/uptime") ?? "0").Split(' ')[0], CultureInfo.InvariantCulture);
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string entry in File.Exists("/etc/passwd") ? File.ReadLines("/etc/passwd") : [])
            if (entry.Split(':') is [var name, _, var id, ..]) users.TryAdd(id, name);
        var rows = new List<ProcessRow>();
        foreach (int pid in pids)
            if (Row(pid, uptime, users) is { } row) rows.Add(row);
        return rows;
    }

    private static ProcessRow? Row(int pid, double uptime, Dictionary<string, string> users)
    {
        if (KernelFiles.TryReadAll($"/proc/{pid}/stat") is not { } stat) return null; // gone meanwhile
        string comm = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
        string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // f[0] is field 3 (state)
        const double Hz = 100; // USER_HZ on every Linux that MiniRun runs on
        DateTimeOffset started = DateTimeOffset.Now - TimeSpan.FromSeconds(uptime - long.Parse(f[19], CultureInfo.InvariantCulture) / Hz);
        long cpuSeconds = (long)((long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / Hz);
        string cmdline = (KernelFiles.TryReadAll($"/proc/{pid}/cmdline") ?? "").TrimEnd('\0').Replace('\0', ' ');
        return new ProcessRow(
            User(pid, users), pid, int.Parse(f[1], CultureInfo.InvariantCulture),
            started.Date == DateTimeOffset.Now.Date ? started.ToString("HH:mm", CultureInfo.InvariantCulture) : started.ToString("MMMdd", CultureInfo.InvariantCulture),
            Tty(int.Parse(f[4], CultureInfo.InvariantCulture)),
            $"{cpuSeconds / 3600:00}:{cpuSeconds / 60 % 60:00}:{cpuSeconds % 60:00}",
            cmdline.Length > 0 ? cmdline : $"[{comm}]");
    }

    /// <summary>The real UID's name in the host's passwd, as ps prints it (the number when there is none).</summary>
    private static string User(int pid, Dictionary<string, string> users)
    {
        string? line = (KernelFiles.TryReadAll($"/proc/{pid}/status") ?? "").Split('\n').FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        string uid = line?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] ?? "?";
        return users.GetValueOrDefault(uid, uid);
    }

    /// <summary>stat's tty_nr as ps names it: pts/N for the pty majors, ? for none.</summary>
    private static string Tty(int ttyNr)
    {
        if (ttyNr == 0) return "?";
        int major = (ttyNr >> 8) & 0xfff, minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
        return major is >= 136 and <= 143 ? $"pts/{(major - 136) * 256 + minor}" : "?";
    }
}
