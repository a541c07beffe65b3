using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniRun.Fixtures;
using MiniRun.Native;

namespace MiniRun.Tests.Runtime;

/// <summary>
/// The runtime verbs engines call besides the lifecycle (runc's command line): exec (as containerd's shim calls it:
/// --process FILE --detach --pid-file), a terminal through --console-socket, ps, pause and resume, update, run,
/// features, --version and errors as JSON lines in --log.
/// </summary>
public sealed class RuntimeVerbsTests : IDisposable
{
    private readonly TempDirectory _temp = new("minirun-verbs");
    private readonly List<string> _ids = [];
    private string StateRoot => _temp.Combine("state");
    private string Bundle => _temp.Combine("bundle");

    public void Dispose()
    {
        foreach (string id in _ids) Runtime("delete", "--force", id);
        _temp.Dispose();
    }

    private ExternalCommand.Result Runtime(params string[] args) =>
        ExternalCommand.Run(MiniRunCli.BinaryPath, ["runtime", "--root", StateRoot, .. args], TimeSpan.FromSeconds(30));

    /// <summary>The runtime with its stdio in out.txt (a detached process keeps them, as it keeps a shim's fifos).</summary>
    private int RuntimeToFile(params string[] args) =>
        ExternalCommand.Run("sh", ["-c", "root=$1; shift; exec \"$0\" runtime --root \"$root\" \"$@\" >>\"$OUT\" 2>&1", MiniRunCli.BinaryPath, StateRoot, .. args],
            TimeSpan.FromSeconds(30), new Dictionary<string, string> { ["OUT"] = Path.Combine(Bundle, "out.txt") }).ExitCode;

    private string Output => File.Exists(Path.Combine(Bundle, "out.txt")) ? File.ReadAllText(Path.Combine(Bundle, "out.txt")) : "";

    private void MakeBundle(string script, bool terminal = false)
    {
        Directory.CreateDirectory(Bundle);
        BusyboxRootfs.CopyTo(Path.Combine(Bundle, "rootfs"));
        Assert.Equal(0, Runtime("spec", "--bundle", Bundle).ExitCode);
        string config = Path.Combine(Bundle, "config.json");
        JsonNode json = JsonNode.Parse(File.ReadAllText(config))!;
        json["process"]!["args"] = new JsonArray("sh", "-c", script);
        json["process"]!["terminal"] = terminal;
        File.WriteAllText(config, json.ToJsonString());
    }

    /// <summary>create and start a container whose process is <paramref name="script"/>.</summary>
    private string Started(string id, string script)
    {
        MakeBundle(script);
        _ids.Add(id);
        Assert.Equal(0, RuntimeToFile("create", "--bundle", Bundle, "--pid-file", Path.Combine(Bundle, "pid"), id));
        Assert.Equal(0, Runtime("start", id).ExitCode);
        return id;
    }

    private string Status(string id) => JsonDocument.Parse(Runtime("state", id).Stdout).RootElement.GetProperty("status").GetString()!;

    private int Pid(string id) => JsonDocument.Parse(Runtime("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();

    [RootFact]
    public void Exec_ProcessFileDetached_RunsInTheContainerAndWritesItsPid()
    {
        string id = Started("exec-detached", "hostname > /tmp/init-host; sleep 60");
        string process = _temp.Combine("process.json");
        File.WriteAllText(process, """
            {"terminal":false,"user":{"uid":1000,"gid":1000},"args":["sh","-c","echo \"$(hostname) $(id -u) $(pwd) $MARK\" > /tmp/exec-out; exec sleep 60"],
             "env":["PATH=/bin:/usr/bin","MARK=from-process-json"],"cwd":"/tmp"}
            """);
        string pidFile = _temp.Combine("exec.pid");

        Assert.Equal(0, RuntimeToFile("exec", "--process", process, "--detach", "--pid-file", pidFile, id));

        int pid = int.Parse(File.ReadAllText(pidFile));
        WaitFor(() => File.Exists($"/proc/{Pid(id)}/root/tmp/exec-out"));
        Assert.Equal("minirun 1000 /tmp from-process-json", File.ReadAllText($"/proc/{Pid(id)}/root/tmp/exec-out").Trim());
        Assert.Contains(pid, Processes(id)); // in the container's cgroup
        Assert.Equal(new FileInfo($"/proc/{Pid(id)}/ns/pid").LinkTarget, new FileInfo($"/proc/{pid}/ns/pid").LinkTarget);
        Assert.Equal(0, Runtime("kill", "--all", id, "KILL").ExitCode);
        WaitFor(() => Status(id) == "stopped");
    }

    [RootFact]
    public void Exec_Foreground_GivesTheCommandsOutputAndExitStatus()
    {
        string id = Started("exec-fg", "sleep 60");

        ExternalCommand.Result result = Runtime("exec", "--cwd", "/etc", "--env", "GREETING=hi", "--user", "7:8", id, "sh", "-c", "echo $GREETING $(pwd) $(id -u):$(id -g); exit 3");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("hi /etc 7:8", result.Stdout.Trim());
    }

    [RootFact]
    public void Exec_CommandNotFound_FailsDetachedWithALine()
    {
        string id = Started("exec-missing", "sleep 60");

        ExternalCommand.Result result = Runtime("exec", "--detach", id, "nosuchcommand");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("executable file not found", result.Stderr);
        Assert.Contains("minirun: runtime: exec:", result.Stderr);
    }

    [RootFact]
    public void Create_ConsoleSocket_SendsThePtyMasterAndTheProcessHasItsTerminal()
    {
        MakeBundle("echo tty=$(tty) console=$(stat -c %t:%T /dev/console); read line; echo got=$line", terminal: true);
        _ids.Add("tty");
        string socketPath = _temp.Combine("console.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        Task<Socket> accepted = listener.AcceptAsync();

        Assert.Equal(0, RuntimeToFile("create", "--bundle", Bundle, "--console-socket", socketPath, "tty"));

        using Socket connection = accepted.Wait(TimeSpan.FromSeconds(10)) ? accepted.Result : throw new TimeoutException("create never connected to the console socket");
        (int master, string name) = DescriptorPassing.Receive((int)connection.Handle);
        Assert.Equal("/dev/ptmx", name);
        using var terminal = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(master, ownsHandle: true), FileAccess.ReadWrite, 1);
        Assert.Equal(0, Runtime("start", "tty").ExitCode);
        string seen = ReadUntil(terminal, "console=");
        terminal.Write("hello\n"u8);
        seen += ReadUntil(terminal, "got=hello");

        Assert.Contains("tty=/dev/pts/0", seen); // the container's own devpts: its first pty
        Assert.Contains("console=88:0", seen); // /dev/console is that pty (136:0, in hex)
        Assert.Equal("", Output); // nothing on create's stdio: the terminal is the process's
    }

    /// <summary>Reads the terminal until <paramref name="text"/> appears (10 s at most).</summary>
    private static string ReadUntil(FileStream terminal, string text)
    {
        var seen = new StringBuilder();
        byte[] buffer = new byte[1024];
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (!seen.ToString().Contains(text, StringComparison.Ordinal))
        {
            Task<int> read = terminal.ReadAsync(buffer, 0, buffer.Length);
            if (!read.Wait(deadline - DateTime.UtcNow) || read.Result <= 0) throw new TimeoutException($"the terminal never showed \"{text}\"; it showed: {seen}");
            seen.Append(Encoding.UTF8.GetString(buffer, 0, read.Result));
        }
        return seen.ToString();
    }

    [RootFact]
    public void Lifecycle_SpecWithoutAPidNamespace_TheHostsPids_DeleteKillsWhatPid1Left()
    {
        MakeBundle("sleep 300 & echo $! > /tmp/child; exec sleep 300");
        string config = Path.Combine(Bundle, "config.json");
        JsonNode json = JsonNode.Parse(File.ReadAllText(config))!;
        JsonArray namespaces = json["linux"]!["namespaces"]!.AsArray();
        foreach (JsonNode? pidNamespace in namespaces.Where(n => (string?)n!["type"] == "pid").ToList()) namespaces.Remove(pidNamespace);
        File.WriteAllText(config, json.ToJsonString()); // as Docker writes it for --pid host
        const string id = "host-pid";
        _ids.Add(id);
        Assert.Equal(0, RuntimeToFile("create", "--bundle", Bundle, id));
        Assert.Equal(0, Runtime("start", id).ExitCode);

        int pid = Pid(id);
        Assert.Equal(new FileInfo("/proc/self/ns/pid").LinkTarget, new FileInfo($"/proc/{pid}/ns/pid").LinkTarget);
        WaitFor(() => File.Exists($"/proc/{pid}/root/tmp/child"));
        int child = int.Parse(File.ReadAllText($"/proc/{pid}/root/tmp/child").Trim()); // a host PID: no namespace of its own
        Assert.Contains(child, Processes(id));
        Assert.Equal(0, Runtime("kill", id, "KILL").ExitCode);
        WaitFor(() => Status(id) == "stopped");
        Assert.True(IsAlive(child)); // PID 1's end ends no PID namespace: the child lives on, until delete

        Assert.Equal(0, Runtime("delete", id).ExitCode);
        WaitFor(() => !IsAlive(child));
    }

    /// <summary>Running, not a zombie awaiting its reaper.</summary>
    private static bool IsAlive(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1][0] != 'Z'; }
        catch (IOException) { return false; }
    }

    private List<int> Processes(string id)
    {
        ExternalCommand.Result ps = Runtime("ps", "--format", "json", id);
        Assert.Equal(0, ps.ExitCode);
        return JsonSerializer.Deserialize<List<int>>(ps.Stdout)!;
    }

    [RootFact]
    public void PsPauseResume_FollowTheContainersCgroup()
    {
        string id = Started("frozen", "sleep 60 & sleep 60");
        WaitFor(() => Processes(id).Count == 2);
        Assert.Contains(Pid(id), Processes(id));
        Assert.Contains("PID", Runtime("ps", id).Stdout);

        Assert.Equal(0, Runtime("pause", id).ExitCode);
        Assert.Equal("paused", Status(id));
        Assert.Equal(1, Runtime("pause", id).ExitCode);
        Assert.Equal(0, Runtime("resume", id).ExitCode);
        Assert.Equal("running", Status(id));
    }

    [RootFact]
    public void Update_ResourcesOnStdinAndFlags_WriteTheNewLimits()
    {
        string id = Started("updated", "sleep 60");
        string pidsDir = CgroupDirectory(Pid(id), "pids");

        ExternalCommand.Result update = ExternalCommand.Run("sh", ["-c", "echo '{\"pids\":{\"limit\":42}}' | \"$0\" runtime --root \"$1\" update --resources - \"$2\"",
            MiniRunCli.BinaryPath, StateRoot, id], TimeSpan.FromSeconds(30));
        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.Equal("42", File.ReadAllText(Path.Combine(pidsDir, "pids.max")).Trim());

        Assert.Equal(0, Runtime("update", "--pids-limit", "43", id).ExitCode);
        Assert.Equal("43", File.ReadAllText(Path.Combine(pidsDir, "pids.max")).Trim());
        Assert.Contains("--kernel-memory", Runtime("update", "--kernel-memory", "1", id).Stderr);
    }

    /// <summary>The host path of a process's cgroup for one controller (v1), or the unified one.</summary>
    private static string CgroupDirectory(int pid, string controller)
    {
        foreach (string line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            string[] parts = line.Split(':', 3);
            if (parts[1].Split(',').Contains(controller)) return "/sys/fs/cgroup/" + parts[1] + parts[2];
        }
        return "/sys/fs/cgroup" + File.ReadAllLines($"/proc/{pid}/cgroup").Single(l => l.StartsWith("0::", StringComparison.Ordinal))[3..];
    }

    [RootFact]
    public void Run_Foreground_ExitsWithTheProcessStatusAndLeavesNothing()
    {
        MakeBundle("echo ran; exit 4");

        ExternalCommand.Result run = Runtime("run", "--bundle", Bundle, "once");

        Assert.Equal(4, run.ExitCode);
        Assert.Equal("ran", run.Stdout.Trim());
        Assert.False(Directory.Exists(Path.Combine(StateRoot, "once")));
    }

    [Fact]
    public void FeaturesAndVersion_AreInRuncsShape()
    {
        ExternalCommand.Result version = Runtime("--version");
        Assert.Matches(@"^minirun-runtime version \d+\.\d+\.\d+\nspec: 1\.\d+\.\d+", version.Stdout);

        JsonElement features = JsonDocument.Parse(Runtime("features").Stdout).RootElement;
        Assert.Equal("1.0.0", features.GetProperty("ociVersionMin").GetString());
        Assert.Contains("CAP_SYS_ADMIN", features.GetProperty("linux").GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.False(features.GetProperty("linux").GetProperty("cgroup").GetProperty("systemd").GetBoolean());
    }

    [Fact]
    public void Error_WithLogFormatJson_IsAJsonLineInTheLog()
    {
        string log = _temp.Combine("log.json");

        ExternalCommand.Result result = ExternalCommand.Run(MiniRunCli.BinaryPath,
            ["runtime", "--root", StateRoot, "--log", log, "--log-format", "json", "state", "nosuch"], TimeSpan.FromSeconds(30));

        Assert.Equal(1, result.ExitCode);
        JsonElement line = JsonDocument.Parse(File.ReadAllLines(log).Single()).RootElement;
        Assert.Equal("error", line.GetProperty("level").GetString());
        Assert.Contains("container \"nosuch\" does not exist", line.GetProperty("msg").GetString());
    }

    [Fact]
    public void SystemdCgroup_IsRefusedSayingWhatToUse()
    {
        ExternalCommand.Result result = Runtime("--systemd-cgroup", "state", "x");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cgroupfs", result.Stderr);
    }

    private static void WaitFor(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++) Thread.Sleep(50);
        Assert.True(condition());
    }
}
