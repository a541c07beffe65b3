using System.Text.Json;
using MiniRun.Fixtures;

namespace MiniRun.Tests.Runtime;

/// <summary>
/// MiniRun as an OCI runtime, driven as an engine drives runc: `spec`, then `create` (which exits, its container parked),
/// `state`, `start`, `kill`, `delete`, on a bundle of a busybox root filesystem.
/// </summary>
public sealed class BundleLifecycleTests : IDisposable
{
    private readonly TempDirectory _temp = new("minirun-bundle");
    private string StateRoot => _temp.Combine("state");
    private string Bundle => _temp.Combine("bundle");

    public void Dispose()
    {
        foreach (string id in new[] { "life", "parked", "twice", "gone", "filtered-1", "filtered-2" }) Runtime("delete", "--force", id);
        _temp.Dispose();
    }

    private ExternalCommand.Result Runtime(params string[] args) =>
        ExternalCommand.Run(MiniRunCli.BinaryPath, ["runtime", "--root", StateRoot, .. args], TimeSpan.FromSeconds(30));

    /// <summary>A bundle whose process is <paramref name="script"/>; its output goes to out.txt (create's stdio is the process's).</summary>
    private void MakeBundle(string script)
    {
        Directory.CreateDirectory(Bundle);
        BusyboxRootfs.CopyTo(Path.Combine(Bundle, "rootfs"));
        Assert.Equal(0, Runtime("spec", "--bundle", Bundle).ExitCode);
        string config = Path.Combine(Bundle, "config.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!;
        json["process"]!["args"] = new System.Text.Json.Nodes.JsonArray("sh", "-c", script);
        File.WriteAllText(config, json.ToJsonString());
    }

    /// <summary>create with its stdout and stderr in a file, as a shim gives it fifos: the parked process keeps them.</summary>
    private int Create(string id) =>
        ExternalCommand.Run("sh", ["-c", $"exec \"$0\" runtime --root \"$1\" create --bundle \"$2\" --pid-file \"$2/pid\" \"$3\" >>\"$2/out.txt\" 2>&1",
            MiniRunCli.BinaryPath, StateRoot, Bundle, id], TimeSpan.FromSeconds(30)).ExitCode;

    private string Status(string id) => JsonDocument.Parse(Runtime("state", id).Stdout).RootElement.GetProperty("status").GetString()!;

    [RootFact]
    public void CreateStartStateKillDelete_RunsTheBundlesProcessAsAnEngineExpects()
    {
        MakeBundle("echo started as $(id -u) on $(hostname); trap 'echo got TERM; exit 7' TERM; while :; do sleep 0.1; done");

        Assert.Equal(0, Create("life"));
        Assert.Equal("created", Status("life"));
        int pid = int.Parse(File.ReadAllText(Path.Combine(Bundle, "pid")));
        Assert.Equal(JsonDocument.Parse(Runtime("state", "life").Stdout).RootElement.GetProperty("pid").GetInt32(), pid);
        Assert.Equal("", File.ReadAllText(Path.Combine(Bundle, "out.txt"))); // nothing runs before start

        Assert.Equal(0, Runtime("start", "life").ExitCode);
        Assert.Equal("running", Status("life"));
        WaitFor(() => File.ReadAllText(Path.Combine(Bundle, "out.txt")).Contains("started as 0 on minirun"));
        Assert.Equal(1, Runtime("start", "life").ExitCode); // only a created container starts

        Assert.Equal(0, Runtime("kill", "life", "TERM").ExitCode);
        WaitFor(() => Status("life") == "stopped");
        Assert.Contains("got TERM", File.ReadAllText(Path.Combine(Bundle, "out.txt")));
        Assert.Equal(0, Runtime("delete", "life").ExitCode);
        Assert.False(Directory.Exists(Path.Combine(StateRoot, "life")));
        Assert.Equal(1, Runtime("state", "life").ExitCode);
    }

    [RootFact]
    public void Delete_ParkedContainer_KillsItAndLeavesNothing()
    {
        MakeBundle("echo must-not-run");
        Assert.Equal(0, Create("parked"));
        int pid = int.Parse(File.ReadAllText(Path.Combine(Bundle, "pid")));

        Assert.Equal(0, Runtime("delete", "parked").ExitCode); // created, never started: deleted as runc does

        WaitFor(() => !Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z "));
        Assert.DoesNotContain("must-not-run", File.ReadAllText(Path.Combine(Bundle, "out.txt")));
        Assert.False(Directory.Exists(Path.Combine(StateRoot, "parked")));
    }

    /// <summary>A parked stage killed from outside never opens exec.fifo: start says so instead of waiting for ever.</summary>
    [RootFact]
    public void Start_AfterTheParkedProcessWasKilled_FailsInOneLine()
    {
        MakeBundle("echo must-not-run");
        Assert.Equal(0, Create("gone"));
        int pid = int.Parse(File.ReadAllText(Path.Combine(Bundle, "pid")));
        MiniRun.Native.Syscalls.Kill(pid, MiniRun.Native.Signal.Kill);

        ExternalCommand.Result start = Runtime("start", "gone");

        Assert.Equal(1, start.ExitCode);
        Assert.Equal("minirun: runtime: container \"gone\": its init stage is gone\n", start.Stderr);
        Assert.Equal(0, Runtime("delete", "gone").ExitCode);
    }

    /// <summary>The seccomp section is compiled once under --root and read back for the next container of the same profile.</summary>
    [RootFact]
    public void Create_SameSeccompProfileTwice_CompilesItOnceAndBothProcessesAreFiltered()
    {
        MakeBundle("while :; do sleep 0.1; done");
        foreach (string id in new[] { "filtered-1", "filtered-2" })
        {
            Assert.Equal(0, Create(id));
            Assert.Equal(0, Runtime("start", id).ExitCode);
        }

        Assert.Single(Directory.GetFiles(Path.Combine(StateRoot, ".seccomp"), "*.bpf"));
        foreach (string id in new[] { "filtered-1", "filtered-2" })
        {
            int pid = JsonDocument.Parse(Runtime("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
            Assert.Contains("Seccomp:\t2\n", File.ReadAllText($"/proc/{pid}/status")); // SECCOMP_MODE_FILTER
            Assert.Equal(0, Runtime("delete", "--force", id).ExitCode);
        }
    }

    [RootFact]
    public void Create_SameIdTwice_IsRefusedInOneLine()
    {
        MakeBundle("true");
        Assert.Equal(0, Create("twice"));

        ExternalCommand.Result again = Runtime("create", "--bundle", Bundle, "twice");

        Assert.Equal(1, again.ExitCode);
        Assert.StartsWith("minirun: runtime: container \"twice\" already exists", again.Stderr);
    }

    private static void WaitFor(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++) Thread.Sleep(50);
        Assert.True(condition());
    }
}
