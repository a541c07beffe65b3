namespace MiniRun.Tests.Reliability;

/// <summary>
/// The store's format, through the real binary: a store of an older MiniRun is migrated once even when many commands
/// open it at once (they queue on store.lock), a crash while migrating leaves the old format whole and the next command
/// migrates, and a store newer than the binary is refused with one line.
/// </summary>
public class StoreMigrationTests
{
    private const string Notice = "upgraded the store";

    /// <summary>Turns a loaded store back into what MiniRun made before the format file: no `format`, 0755 directories.</summary>
    private static void MakeFormatOne(ReliabilityStore store)
    {
        File.Delete(Path.Combine(store.Cli.StoreRoot, "format"));
        foreach (string dir in new[] { "", "layers", "containers", "l", "images", "tmp", "locks" })
            File.SetUnixFileMode(Path.Combine(store.Cli.StoreRoot, dir), (UnixFileMode)0x1ed);
    }

    private static string? Format(ReliabilityStore store) =>
        File.Exists(Path.Combine(store.Cli.StoreRoot, "format")) ? File.ReadAllText(Path.Combine(store.Cli.StoreRoot, "format")) : null;

    private static bool IsPrivate(ReliabilityStore store) =>
        (File.GetUnixFileMode(store.Cli.StoreRoot) & (UnixFileMode)0x7) == 0;

    [RootFact]
    public void Open_FormatOneStore_EightCommandsAtOnceMigrateItExactlyOnce()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);
        Assert.Equal("3\n", Format(store)); // a new store is made at the current format
        MakeFormatOne(store);

        MiniRunCli.Result[] results = Parallel(8, i => i % 2 == 0
            ? store.Cli.Run("images")
            : store.Cli.Run("run", "--rm", ReliabilityStore.Image, "cat", "/srv/marker"));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        MiniRunCli.Result migrated = Assert.Single(results, r => r.Stderr.Contains(Notice, StringComparison.Ordinal));
        Assert.Contains($"minirun: upgraded the store at {store.Cli.StoreRoot} to format 2: its directories are closed to other users", migrated.Stderr);
        Assert.Contains($"minirun: upgraded the store at {store.Cli.StoreRoot} to format 3: each container's record is config.v2.json", migrated.Stderr);
        Assert.Equal("3\n", Format(store));
        Assert.True(IsPrivate(store));
        Assert.Empty(store.Entries("tmp"));
        MiniRunCli.Result check = store.Cli.Run("system", "check");
        Assert.True(check.ExitCode == 0 && check.Stdout.StartsWith("checked store format 3, ", StringComparison.Ordinal), check.ToString());
        Assert.DoesNotContain(Notice, check.Stderr);
    }

    [RootFact]
    public void Open_FormatTwoStore_ContainerRecordsBecomeConfigV2AndTheContainersStayListed()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);
        Assert.Equal(0, store.Cli.Run("run", "--name", "kept", ReliabilityStore.Image, "true").ExitCode);
        string dir = Assert.Single(Directory.GetDirectories(Path.Combine(store.Cli.StoreRoot, "containers")), d => !Path.GetFileName(d).StartsWith('.'));
        Assert.True(File.Exists(Path.Combine(dir, "config.json"))); // the OCI spec its start ran
        File.Delete(Path.Combine(dir, "config.json"));
        File.Move(Path.Combine(dir, "config.v2.json"), Path.Combine(dir, "config.json")); // as format 2 kept the record
        File.WriteAllText(Path.Combine(store.Cli.StoreRoot, "format"), "2\n");

        MiniRunCli.Result ps = store.Cli.Run("ps", "-a");

        Assert.True(ps.ExitCode == 0 && ps.Stdout.Contains("kept", StringComparison.Ordinal), ps.ToString());
        Assert.Contains("to format 3: each container's record is config.v2.json", ps.Stderr);
        Assert.Equal("3\n", Format(store));
        Assert.True(File.Exists(Path.Combine(dir, "config.v2.json")));
        Assert.Equal(0, store.Cli.Run("start", "kept").ExitCode); // its start writes the spec again
        Assert.Equal(0, store.Cli.Run("wait", "kept").ExitCode);
        Assert.Contains("\"ociVersion\"", File.ReadAllText(Path.Combine(dir, "config.json")));
        MiniRunCli.Result rm = store.Cli.Run("rm", "kept");
        Assert.True(rm.ExitCode == 0, rm.ToString());
    }

    [RootTheory]
    [InlineData("store-migrating")]
    [InlineData("format-staged")]
    public void Open_KilledWhileMigrating_OldFormatStaysWholeAndNextCommandMigrates(string step)
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);
        MakeFormatOne(store);

        MiniRunCli.Result crashed = store.CrashAt(step, "images");

        Assert.Equal(137, crashed.ExitCode);
        Assert.Null(Format(store)); // still format 1, never a half-written format file
        Assert.DoesNotContain(store.Entries(""), e => e.StartsWith("format", StringComparison.Ordinal));
        MiniRunCli.Result retry = store.Cli.Run("images");
        Assert.True(retry.ExitCode == 0 && retry.Stdout.Contains("reliable", StringComparison.Ordinal), retry.ToString());
        Assert.Contains(Notice, retry.Stderr); // the step runs again: it is idempotent
        Assert.Equal("3\n", Format(store));
        Assert.True(IsPrivate(store));
        MiniRunCli.Result repair = store.Cli.Run("system", "check", "--repair"); // the staged copy in tmp/, if any, is a crash's leftover
        Assert.True(repair.ExitCode == 0, repair.ToString());
        Assert.Empty(store.Entries("tmp"));
        Assert.Equal(0, store.Cli.Run("system", "check").ExitCode);
    }

    [RootFact]
    public void Open_NewerFormat_IsRefusedWithOneLineAndLeftAlone()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);
        File.WriteAllText(Path.Combine(store.Cli.StoreRoot, "format"), "4\n");

        MiniRunCli.Result images = store.Cli.Run("images");
        MiniRunCli.Result run = store.Cli.Run("run", "--rm", ReliabilityStore.Image, "true");
        MiniRunCli.Result doctor = store.Cli.Run("doctor");

        string refusal = $"minirun: the store at {store.Cli.StoreRoot} has format 4, newer than this minirun knows (3): " +
            "use the newer minirun that wrote it, or another store (--root DIR)\n";
        Assert.Equal((125, "", refusal), (images.ExitCode, images.Stdout, images.Stderr));
        Assert.Equal((125, refusal), (run.ExitCode, run.Stderr));
        Assert.Contains("FAIL  store        the store at", doctor.Stdout);
        Assert.Equal("4\n", Format(store));
        File.WriteAllText(Path.Combine(store.Cli.StoreRoot, "format"), "3\n"); // so that the cleanup can open it
    }

    private static MiniRunCli.Result[] Parallel(int count, Func<int, MiniRunCli.Result> command) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Factory.StartNew(() => command(i), TaskCreationOptions.LongRunning))).GetAwaiter().GetResult();
}
