namespace MiniRun.Tests.Reliability;

/// <summary>Many minirun commands at once on one store: every one succeeds or fails cleanly, nothing is stored twice.</summary>
public class ConcurrencyTests
{
    [RootFact]
    public void Load_EightAtOnce_AllSucceedWithOneCopyOfEachLayer()
    {
        using var store = new ReliabilityStore();

        MiniRunCli.Result[] results = Parallel(8, _ => store.Load());

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(store.DiffIds.Select(d => d["sha256:".Length..]).Order().ToArray(), store.Entries("layers"));
        Assert.Equal(store.DiffIds.Count, store.Entries("l").Length);
        Assert.Single(store.Entries("images"));
        Assert.Empty(store.Entries("tmp"));
        Assert.Empty(store.Entries("locks"));
        Assert.Equal(0, store.Cli.Run("system", "check").ExitCode);
    }

    [RootFact]
    public void Run_EightWithOneName_ExactlyOneGetsIt()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);

        MiniRunCli.Result[] results = Parallel(8, _ => store.Cli.Run("run", "--name", "only-one", ReliabilityStore.Image, "true"));

        Assert.Single(results, r => r.ExitCode == 0);
        Assert.All(results.Where(r => r.ExitCode != 0), r => Assert.Matches("^minirun: the container name \"only-one\" is already in use[^\n]*\n$", r.Stderr));
        Assert.Single(store.Cli.Run("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(store.Mounts());
    }

    [RootFact]
    public void RmiAndRun_AtOnce_NeitherBreaksTheOther()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);

        // Four starts race one rmi: either rmi wins (starts then find no image) or it refuses (a container uses it);
        // a start that found the image must never lose its layers while mounting them.
        MiniRunCli.Result[] results = Parallel(5, i => i == 2
            ? store.Cli.Run("rmi", ReliabilityStore.Image)
            : store.Cli.Run("run", "--pull", "never", ReliabilityStore.Image, "cat", "/srv/marker"));

        foreach (MiniRunCli.Result run in results.Where((_, i) => i != 2))
            Assert.True(run.ExitCode == 0 ? run.Stdout == "reliable\n" : run.Stderr.Contains("No such image", StringComparison.Ordinal), run.ToString());
        Assert.Empty(store.Mounts());
        MiniRunCli.Result check = store.Cli.Run("system", "check");
        Assert.True(check.ExitCode == 0, check.ToString());
    }

    private static MiniRunCli.Result[] Parallel(int count, Func<int, MiniRunCli.Result> command) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Factory.StartNew(() => command(i), TaskCreationOptions.LongRunning))).GetAwaiter().GetResult();
}
