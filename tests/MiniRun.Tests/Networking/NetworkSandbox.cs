using System.Diagnostics;

namespace MiniRun.Tests.Networking;

/// <summary>
/// A network namespace of the test's own (`unshare --net --mount`, lo up, its own /sys and /run, the host's cgroups) in which minirun
/// runs through nsenter, so bridges, veths, addresses and iptables rules live and die inside it; and "containers",
/// each a sleep in a network namespace of its own, whose /proc/PID/ns/net is what CNI_NETNS names. Dispose kills
/// them all (the namespaces, and every device in them, go with their last process) and removes the store.
/// </summary>
public sealed class NetworkSandbox : IDisposable
{
    private readonly List<Process> _processes = [];
    private readonly TempDirectory _store = new("minirun-net");

    public int Pid { get; }
    public string StoreRoot => _store.Path;

    public NetworkSandbox()
    {
        try
        {
            // A mount namespace too: sysfs then shows this namespace's devices, and /run (iptables' lock, ip netns) is its
            // own; the cgroup mounts are moved back over the new sysfs, so that minirun can run containers in it.
            Pid = StartSleeper("unshare", "--net", "--mount", "sh", "-c",
                "mount --make-rprivate / && mount -t tmpfs tmpfs /run && mkdir /run/cgroup && mount --rbind /sys/fs/cgroup /run/cgroup" +
                " && mount -t sysfs sysfs /sys && mount --move /run/cgroup /sys/fs/cgroup && ip link set lo up && exec sleep 600");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>A process in a new network namespace of its own (only lo, down): a container as CNI sees one.</summary>
    public int StartContainer() => StartSleeper("unshare", "--net", "sleep", "600");

    public static string NetnsOf(int pid) => $"/proc/{pid}/ns/net";

    /// <summary>`minirun --root STORE args...` inside the sandbox's namespaces.</summary>
    public MiniRunCli.Result MiniRun(params string[] args) =>
        Run("nsenter", ["-t", Pid.ToString(), "-n", "-m", MiniRunCli.BinaryPath, "--root", StoreRoot, .. args]);

    /// <summary>A command in the network namespace of <paramref name="pid"/> (the sandbox's own, or a container's).</summary>
    public static MiniRunCli.Result InNetns(int pid, params string[] command) => Run("nsenter", ["-t", pid.ToString(), "-n", .. command]);

    public static MiniRunCli.Result Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        using Process process = Process.Start(psi)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in 60 s");
        }
        return new MiniRunCli.Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts the command and waits until it has become `sleep` (its namespaces set up), its PID then.</summary>
    private int StartSleeper(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true };
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        Process process = Process.Start(psi)!;
        _processes.Add(process);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (ReadComm(process.Id) != "sleep")
        {
            if (process.HasExited) throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {process.StandardError.ReadToEnd()}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{program} did not reach its sleep in 10 s");
            Thread.Sleep(10);
        }
        return process.Id;
    }

    private static string? ReadComm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (IOException) { return null; }
    }

    public void Dispose()
    {
        foreach (Process process in _processes)
        {
            try
            {
                if (!process.HasExited) process.Kill();
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException) { }
            process.Dispose();
        }
        _store.Dispose();
    }
}
