using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using MiniRun.Native;
using MiniRun.Tests.Containers;

namespace MiniRun.Tests.Sandbox;

/// <summary>
/// Issue 14, finding 3 (CVE-2019-5736 class), written as the attacks: a container must not reach the minirun binary
/// through a stage's /proc/PID/exe, must not take hold of a stage, and must not outlive its runner unsupervised.
/// Each test runs a copy of minirun of its own (a failing one overwrites that copy, never artifacts/minirun).
/// </summary>
public class RuntimeBinaryTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    [RootFact]
    public void Exec_ProcSelfExeScript_CannotOverwriteTheHostBinary()
    {
        using var attack = new Attack(fixture);
        string before = attack.BinaryDigest();
        string id = attack.RunDetached("/probe", "overwrite", "30");
        // `#!/proc/self/exe`: the kernel runs the exec stage's own binary as the container's process; the probe keeps
        // its /proc/PID/exe open and writes to it as soon as nothing runs the file any more.
        for (int i = 0; i < 20 && !attack.Report(id).Contains("grabbed"); i++) attack.Cli.Run("exec", id, "/evil");
        Assert.Contains("grabbed", attack.Report(id));

        int pid = attack.Pid(id);
        Syscalls.Kill(Attack.SupervisorOf(attack.Cli.StoreRoot, id), Signal.Kill);
        for (int i = 0; i < 60 && !attack.Report(id).Contains("overwritten") && !Attack.IsGone(pid); i++) Thread.Sleep(50);

        Assert.False(attack.Report(id).Contains("overwritten"), "the container overwrote the minirun binary:\n" + attack.Report(id));
        Assert.Equal(before, attack.BinaryDigest());
    }

    [RootFact]
    public void Exec_StageSeenFromTheContainer_CannotBeOpenedOrTraced()
    {
        using var attack = new Attack(fixture);
        string id = attack.RunDetached("/probe", "stage", "30");
        // The exec stage stalls after dropping to the container's capabilities: the error it writes for a missing
        // command goes to a pipe that is already full. The probe finds it in the container's /proc meanwhile.
        string fifo = attack.Scratch.Combine("full");
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string arg in new[] { "-c", "mkfifo \"$1\" && exec 9<>\"$1\" && head -c 65536 /dev/zero >&9 && exec \"$2\" --root \"$3\" exec \"$4\" /nonexistent 2>&9",
                     "_", fifo, attack.Cli.Binary, attack.Cli.StoreRoot, id })
            psi.ArgumentList.Add(arg);
        using Process exec = Process.Start(psi)!;
        try
        {
            string report = "";
            for (int i = 0; i < 300 && !(report = attack.Report(id)).Contains("exe="); i++) Thread.Sleep(100);

            Assert.Contains("exe=", report);
            Assert.DoesNotContain("exe=ok", report); // not dumpable: /proc/PID/exe needs CAP_SYS_PTRACE
            Assert.DoesNotContain("ptrace=ok", report);
        }
        finally
        {
            exec.Kill(entireProcessTree: true);
        }
    }

    [RootFact]
    public void Run_RunnerKilled_ContainerDiesWithIt()
    {
        using var attack = new Attack(fixture);
        var psi = new ProcessStartInfo(attack.Cli.Binary) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string arg in new[] { "--root", attack.Cli.StoreRoot, "run", "--name", "foreground", fixture.Image, "sleep", "1000" })
            psi.ArgumentList.Add(arg);
        using Process runner = Process.Start(psi)!;
        int pid = attack.WaitUntilRunning("foreground");

        runner.Kill(); // SIGKILL: no teardown, no signal forwarded
        runner.WaitForExit();

        Assert.True(Attack.WaitUntilGone(pid), $"the container's PID 1 ({pid}) still runs after its runner was killed");
        Assert.Contains("Dead", attack.Host.Run("ps", "-a").Stdout);
        Assert.Equal(0, attack.Host.Run("rm", "foreground").ExitCode); // nothing left running: a plain rm will do
    }

    [RootFact]
    public void RunDetached_SupervisorKilled_ContainerDiesWithIt()
    {
        using var attack = new Attack(fixture);
        string id = attack.RunDetached("sleep", "1000");
        int pid = attack.Pid(id);

        Syscalls.Kill(Attack.SupervisorOf(attack.Cli.StoreRoot, id), Signal.Kill);

        Assert.True(Attack.WaitUntilGone(pid), $"the container's PID 1 ({pid}) still runs after its supervisor was killed");
        Assert.Contains("Dead", attack.Host.Run("ps", "-a").Stdout);
    }

    [RootFact]
    public void Run_SmallMemoryLimit_Starts()
    {
        // The binary's view costs the container nothing: no copy charged to its memory cgroup (runc's memfd once did).
        MiniRunCli.Result result = fixture.Cli.Run("run", "--rm", "-m", "6m", fixture.Image, "echo", "started");

        Assert.True(result.ExitCode == 0 && result.Stdout == "started\n", result.ToString());
    }

    [RootFact]
    public void Explain_Run_NarratesTheReadOnlyViewOfTheBinary()
    {
        MiniRunCli.Result result = fixture.Cli.Run("run", "--rm", "--explain", fixture.Image, "true");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"+ mount -t overlay overlay -o ro,nosuid,nodev,lowerdir={Path.GetDirectoryName(MiniRunCli.BinaryPath)}:", result.Stderr);
    }

    /// <summary>A copy of minirun, the probe's layer, and the containers they run; all removed at the end.</summary>
    private sealed class Attack : IDisposable
    {
        private readonly List<string> _containers = [];

        public Attack(RunImageFixture fixture)
        {
            Image = fixture.Image;
            Host = fixture.Cli;
            string binary = Scratch.Combine("bin", "minirun");
            Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
            File.Copy(MiniRunCli.BinaryPath, binary);
            Cli = new MiniRunCli(fixture.Cli.StoreRoot, binary);
            RuntimeBinaryProbe.BuildLayer(Layer, binary);
        }

        public TempDirectory Scratch { get; } = new("minirun-binary");

        /// <summary>The copy under attack: runs the containers and the execs.</summary>
        public MiniRunCli Cli { get; }

        /// <summary>The real binary, same store: looks and cleans up, whatever became of the copy.</summary>
        public MiniRunCli Host { get; }
        private string Image { get; }
        private string Layer => Scratch.Combine("layer");

        public string BinaryDigest() => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Cli.Binary)));

        public string RunDetached(params string[] command)
        {
            MiniRunCli.Result run = Cli.Run(["run", "-d", "--layer", Layer, Image, .. command]);
            Assert.True(run.ExitCode == 0, run.ToString());
            string id = run.Stdout.Trim();
            _containers.Add(id);
            return id;
        }

        /// <summary>Waits (10 s at most) until the named container runs; returns its PID 1's host PID.</summary>
        public int WaitUntilRunning(string name)
        {
            for (int i = 0; i < 200; i++)
            {
                if (Host.Run("inspect", name) is { ExitCode: 0 } inspect && State(inspect.Stdout) is { Running: true, Pid: > 0 } state)
                {
                    _containers.Add(name);
                    return state.Pid;
                }
                Thread.Sleep(50);
            }
            throw new TimeoutException($"container {name} did not start");
        }

        public int Pid(string id) => State(Host.Run("inspect", id).Stdout).Pid;

        private static (bool Running, int Pid) State(string inspect)
        {
            using JsonDocument json = JsonDocument.Parse(inspect);
            JsonElement state = json.RootElement[0].GetProperty("State");
            return (state.GetProperty("Running").GetBoolean(), state.GetProperty("Pid").GetInt32());
        }

        /// <summary>What the probe wrote to /report (in the container's upper directory).</summary>
        public string Report(string id)
        {
            using JsonDocument json = JsonDocument.Parse(Host.Run("inspect", id).Stdout);
            string upper = json.RootElement[0].GetProperty("GraphDriver").GetProperty("Data").GetProperty("UpperDir").GetString()!;
            string report = Path.Combine(upper, "report");
            return File.Exists(report) ? File.ReadAllText(report) : "";
        }

        /// <summary>The host PID of the supervisor (`minirun-supervise __supervise STORE ID`) of a detached container.</summary>
        public static int SupervisorOf(string store, string id)
        {
            foreach (string dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
                string[] argv;
                try { argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0'); }
                catch (IOException) { continue; }
                if (argv.Length >= 4 && argv[1] == "__supervise" && argv[2] == store && argv[3] == id) return pid;
            }
            throw new InvalidOperationException($"no supervisor for container {id}");
        }

        /// <summary>True once <paramref name="pid"/> no longer runs (gone, or a zombie), within 2 s.</summary>
        public static bool WaitUntilGone(int pid)
        {
            for (int i = 0; i < 40; i++)
            {
                if (IsGone(pid)) return true;
                Thread.Sleep(50);
            }
            return IsGone(pid);
        }

        public static bool IsGone(int pid)
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{pid}/stat");
                return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
            }
            catch (IOException) { return true; }
        }

        public void Dispose()
        {
            // A failed test leaves the container running: rm -f kills its PID 1; check --repair takes what a killed runner left.
            foreach (string container in _containers) Host.Run("rm", "-f", container);
            Host.Run("system", "check", "--repair");
            Scratch.Dispose();
        }
    }
}
