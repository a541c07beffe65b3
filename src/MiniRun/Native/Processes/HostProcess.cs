using System.Globalization;

namespace MiniRun.Native;

/// <summary>
/// A process on the host named by its PID and its start time (proc(5): /proc/PID/stat field 22, in clock ticks
/// since boot), so that a PID the kernel has since reused for another process is not mistaken for ours.
/// </summary>
public sealed record HostProcess(int Pid, long StartTicks)
{
    /// <summary>The process with this PID now, or null when there is none (or only a zombie).</summary>
    public static HostProcess? Find(int pid)
    {
        if (pid <= 0) return null;
        if (KernelFiles.TryReadAll($"/proc/{pid}/stat") is not { } stat) return null;
        // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        if (fields[0] is "Z" or "X") return null; // a zombie has exited; only its exit status is left to reap
        return new HostProcess(pid, long.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    public static HostProcess Self() => Find(Environment.ProcessId) ?? throw new MiniRunException("cannot read /proc/self/stat");

    /// <summary>True while this very process (same PID, same start time) is alive.</summary>
    public bool IsAlive => Find(Pid) is { } now && now.StartTicks == StartTicks;

    /// <summary>Resident memory in kB (VmRSS in /proc/PID/status), or null when the process is gone.</summary>
    public long? ResidentKilobytes()
    {
        try
        {
            string? line = File.ReadLines($"/proc/{Pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException) { return null; }
    }
}
