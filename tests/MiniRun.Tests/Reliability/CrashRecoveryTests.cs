namespace MiniRun.Tests.Reliability;

/// <summary>
/// minirun killed with SIGKILL (MINIRUN_CRASH_AT) at each named step of load, run and rm: the store it leaves must be
/// readable, `system check --repair` must bring it back to a clean check (nothing mounted, no process, no cgroup),
/// and the interrupted command must then succeed when tried again.
/// </summary>
public class CrashRecoveryTests
{
    public static TheoryData<string> LoadSteps() =>
        ["layer-unpacked", "layer-linked", "layer-published", "image-staged", "image-published", "names-staged"];

    public static TheoryData<string> RunSteps() =>
        ["container-staged", "container-created", "overlay-mounted", "cgroup-created", "container-started", "container-exited"];

    [RootTheory]
    [MemberData(nameof(LoadSteps))]
    public void Load_KilledAtStep_CheckRepairsAndRetrySucceeds(string step)
    {
        using var store = new ReliabilityStore();

        MiniRunCli.Result crashed = store.CrashAt(step, "load", "-i", store.Archive);

        Assert.Equal(137, crashed.ExitCode);
        AssertRecovers(store);
        MiniRunCli.Result retry = store.Load();
        Assert.True(retry.ExitCode == 0, retry.ToString());
        AssertCleanCheck(store);
        Assert.Equal(store.DiffIds.Select(d => d["sha256:".Length..]).Order().ToArray(), store.Entries("layers"));
        Assert.Equal("reliable\n", store.Cli.Run("run", "--rm", ReliabilityStore.Image, "cat", "/srv/marker").Stdout);
    }

    [RootTheory]
    [MemberData(nameof(RunSteps))]
    public void Run_KilledAtStep_CheckRepairsAndRetrySucceeds(string step)
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);

        // A command that outlives the crash of its runner at "container-started": check --repair must stop it.
        // (Its output goes to /dev/null: the test reads minirun's pipes to their end, which a live container would hold open.)
        string[] command = step == "container-exited" ? ["true"] : ["sh", "-c", "exec >/dev/null 2>&1; exec sleep 600"];
        MiniRunCli.Result crashed = store.CrashAt(step, ["run", "--name", "crashed", ReliabilityStore.Image, .. command]);

        Assert.Equal(137, crashed.ExitCode);
        Assert.Equal(0, store.Cli.Run("ps", "-a").ExitCode); // the store stays readable
        int pid = ContainerPid(store);
        AssertRecovers(store);
        Assert.Empty(store.Mounts());
        if (pid > 0) Assert.True(WaitUntilGone(pid), $"the container's PID 1 ({pid}) still runs after check --repair");
        MiniRunCli.Result retry = store.Cli.Run("run", "--rm", ReliabilityStore.Image, "cat", "/srv/marker");
        Assert.True(retry.ExitCode == 0 && retry.Stdout == "reliable\n", retry.ToString());
        AssertCleanCheck(store);
    }

    [RootFact]
    public void Rm_KilledWhileDeleting_CheckRepairsAndNameIsFree()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);
        Assert.Equal(0, store.Cli.Run("run", "--name", "doomed", ReliabilityStore.Image, "true").ExitCode);

        Assert.Equal(137, store.CrashAt("container-removing", "rm", "doomed").ExitCode);

        Assert.Equal("", store.Cli.Run("ps", "-aq").Stdout); // gone from view at once: it was renamed away first
        AssertRecovers(store);
        Assert.Equal(0, store.Cli.Run("run", "--rm", "--name", "doomed", ReliabilityStore.Image, "true").ExitCode);
        AssertCleanCheck(store);
    }

    [RootTheory]
    [InlineData("layer-unpacked")]
    [InlineData("layer-published")]
    [InlineData("image-published")]
    public void Commit_KilledAtStep_CheckRepairsAndRetrySucceeds(string step)
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);
        Assert.Equal(0, store.Cli.Run("run", "--name", "changed", ReliabilityStore.Image, "sh", "-c", "echo new > /srv/added").ExitCode);

        Assert.Equal(137, store.CrashAt(step, "commit", "changed", "committed:latest").ExitCode);

        AssertRecovers(store);
        Assert.Equal(0, store.Cli.Run("commit", "changed", "committed:latest").ExitCode);
        Assert.Equal("new\n", store.Cli.Run("run", "--rm", "committed:latest", "cat", "/srv/added").Stdout);
        AssertCleanCheck(store);
    }

    [RootFact]
    public void Check_LayerFilesChanged_IsReported()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);
        string marker = Path.Combine(store.Cli.StoreRoot, "layers", store.DiffIds[1]["sha256:".Length..], "diff", "srv", "marker");
        File.WriteAllText(marker, "tampered\n");

        MiniRunCli.Result check = store.Cli.Run("system", "check");

        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"layer {store.DiffIds[1]}: its files changed", check.Stdout);
    }

    private static void AssertRecovers(ReliabilityStore store)
    {
        MiniRunCli.Result check = store.Cli.Run("system", "check");
        Assert.True(check.ExitCode is 0 or 1, check.ToString()); // findings, never a failure to read the store
        MiniRunCli.Result repair = store.Cli.Run("system", "check", "--repair");
        Assert.True(repair.ExitCode == 0, repair.ToString());
        AssertCleanCheck(store);
        Assert.Empty(store.Entries("tmp"));
        Assert.Empty(store.Entries("locks"));
    }

    private static void AssertCleanCheck(ReliabilityStore store)
    {
        MiniRunCli.Result check = store.Cli.Run("system", "check");
        Assert.True(check.ExitCode == 0 && check.Stdout.TrimEnd().EndsWith(": ok", StringComparison.Ordinal), check.ToString());
    }

    /// <summary>PID 1 of the crashed container as its state file records it (0 when it never started).</summary>
    private static int ContainerPid(ReliabilityStore store)
    {
        foreach (string state in Directory.EnumerateFiles(Path.Combine(store.Cli.StoreRoot, "containers"), "state.json", SearchOption.AllDirectories))
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(state));
            if (json.RootElement.TryGetProperty("Pid", out var pid) && pid.GetInt32() > 0) return pid.GetInt32();
        }
        return 0;
    }

    /// <summary>The process is reaped by the host's init once killed; generous, as the machine may be busy.</summary>
    private static bool WaitUntilGone(int pid)
    {
        for (int i = 0; i < 300; i++)
        {
            string stat = Path.Combine("/proc", pid.ToString(), "cmdline");
            if (!File.Exists(stat) || !File.ReadAllText(stat).StartsWith("sleep", StringComparison.Ordinal)) return true;
            Thread.Sleep(100);
        }
        return false;
    }
}
