using System.Diagnostics;

namespace MiniRun.Tests.Networking;

/// <summary>
/// A network namespace of the test's own (`unshare --net --mount`, lo up, its own /sys and /run) in which minirun
/// runs through nsenter, so bridges, veths, addresses and iptables rules live and die inside it; and "containers",
/// each a sleep in a network namespace of its own, whose /proc/PID/ns/net is what CNI_NETNS names. Real containers
/// run in it too (the host's cgroup tree stays visible under the sandbox's own sysfs). Dispose removes the store's
/// containers (their supervisors live in the sandbox's namespaces), kills the rest (the namespaces, and every device
/// in them, go with their last process) and removes the store.
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
            // A mount namespace too: sysfs then shows this namespace's devices, and /run (iptables' lock) is its own. A
            // new sysfs would hide /sys/fs/cgroup, which containers need: the host's cgroup mounts are moved onto it.
            Pid = StartSleeper("unshare", "--net", "--mount", "sh", "-c",
                "mount --make-rprivate / && mount -t tmpfs tmpfs /run && mkdir /run/cgroup && mount --rbind /sys/fs/cgroup /run/cgroup"
                + " && mount -t sysfs sysfs /sys && mount --move /run/cgroup /sys/fs/cgroup && ip link set lo up && exec sleep 600");
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

    /// <summary>As <see cref="MiniRun(string[])"/> with $MINIRUN_NETWORK set (the test assembly makes it host): "" is the default bridge.</summary>
    public MiniRunCli.Result MiniRunWithDefault(string network, params string[] args) =>
        Run(new Dictionary<string, string> { [NetworkVariable] = network }, "nsenter", ["-t", Pid.ToString(), "-n", "-m", MiniRunCli.BinaryPath, "--root", StoreRoot, .. args]);

    /// <summary>As <see cref="MiniRun(string[])"/>, asserting that it succeeded (the whole result in the failure message).</summary>
    public MiniRunCli.Result MiniRunOk(params string[] args)
    {
        MiniRunCli.Result result = MiniRun(args);
        Assert.True(result.ExitCode == 0, $"minirun {string.Join(' ', args)}: {result}");
        return result;
    }

    /// <summary>The bundled minibox image (artifacts/minibox.tar, else built by images/minibox/build.sh) loaded in the store.</summary>
    public void LoadMinibox()
    {
        string tar = Path.Combine(MiniRunCli.RepositoryRoot, "artifacts", "minibox.tar");
        if (!File.Exists(tar))
        {
            tar = Path.Combine(StoreRoot, "minibox.tar");
            Parity.ParityImage.BuildMinibox("minibox:latest", tar);
        }
        MiniRunOk("load", "-i", tar);
    }

    /// <summary>A long-running command in the sandbox's network and mount namespaces (a server, a foreground `run`); killed by Dispose.</summary>
    public Process Start(params string[] command) => Start("host", command);

    private Process Start(string network, string[] command)
    {
        var psi = new ProcessStartInfo("nsenter") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])["-t", Pid.ToString(), "-n", "-m", .. command]) psi.ArgumentList.Add(arg);
        psi.Environment[NetworkVariable] = network;
        Process process = Process.Start(psi)!;
        _processes.Insert(0, process); // killed before the sandbox's own sleep
        return process;
    }

    /// <summary>A foreground `minirun run` (its stdout and stderr read as it goes), on the default network <paramref name="network"/>.</summary>
    public Process StartMiniRun(string network, params string[] args)
    {
        Process process = Start(network, [MiniRunCli.BinaryPath, "--root", StoreRoot, .. args]);
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private const string NetworkVariable = "MINIRUN_NETWORK";

    public static MiniRunCli.Result Run(string program, params string[] args) => Run(null, program, args);

    private static MiniRunCli.Result Run(IReadOnlyDictionary<string, string>? environment, string program, string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        if (environment is not null)
            foreach ((string key, string value) in environment) psi.Environment[key] = value;
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
        // A test's containers are its to remove; those a failed test left go here, while the sandbox still exists.
        if (Directory.Exists(Path.Combine(StoreRoot, "containers")) && Pid > 0 && Directory.Exists($"/proc/{Pid}"))
            foreach (string id in MiniRun("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                MiniRun("rm", "-f", id);
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
