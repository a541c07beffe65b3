namespace MiniRun.Tests.Reliability;

/// <summary>
/// Container names are checked through containers/.names (a link per name to its container's ID) rather than by
/// reading every container's record, so a start costs the same with 100 stopped containers as with none. The index
/// must say what the records say: a store without it, or with a name left behind by a crash, still behaves.
/// </summary>
public class ContainerNameTests
{
    [RootFact]
    public void Run_StoreWithoutTheIndex_BuildsItAndStillRefusesATakenName()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);
        Assert.Equal(0, store.Cli.Run("run", "--name", "taken", ReliabilityStore.Image, "true").ExitCode);
        Directory.Delete(Path.Combine(store.Cli.StoreRoot, "containers", ".names"), recursive: true); // as an older minirun left it

        MiniRunCli.Result again = store.Cli.Run("run", "--name", "taken", ReliabilityStore.Image, "true");

        Assert.Equal(125, again.ExitCode);
        Assert.Contains("the container name \"taken\" is already in use", again.Stderr);
        Assert.Equal(["taken"], store.Entries(Path.Combine("containers", ".names")));
        Assert.Equal(0, store.Cli.Run("system", "check").ExitCode);
    }

    [RootFact]
    public void Rm_FreesTheName_AndGeneratedNamesStayUnique()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);
        Assert.Equal(0, store.Cli.Run("run", "--name", "reused", ReliabilityStore.Image, "true").ExitCode);
        for (int i = 0; i < 5; i++) Assert.Equal(0, store.Cli.Run("run", ReliabilityStore.Image, "true").ExitCode);

        Assert.Equal(0, store.Cli.Run("rm", "reused").ExitCode);
        Assert.Equal(0, store.Cli.Run("run", "--rm", "--name", "reused", ReliabilityStore.Image, "true").ExitCode);

        string[] names = store.Cli.Run("ps", "-a").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]).ToArray(); // the NAMES column
        Assert.Equal(5, names.Distinct().Count());
        Assert.Equal(names.Order(), store.Entries(Path.Combine("containers", ".names"))); // the --rm one released its name
        Assert.Equal(0, store.Cli.Run("system", "check").ExitCode);
    }

    [RootFact]
    public void Name_HeldForNoContainer_IsFree_AndCheckRepairsIt()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);
        Assert.Equal(0, store.Cli.Run("run", "--rm", ReliabilityStore.Image, "true").ExitCode); // makes the index
        // What a crash between a name's reservation and its container's appearance leaves.
        File.CreateSymbolicLink(Path.Combine(store.Cli.StoreRoot, "containers", ".names", "ghost"), new string('0', 64));

        MiniRunCli.Result check = store.Cli.Run("system", "check");
        Assert.Equal(1, check.ExitCode);
        Assert.Contains("containers/.names/ghost: a name held for no container", check.Stdout);
        Assert.Equal(0, store.Cli.Run("run", "--rm", "--name", "ghost", ReliabilityStore.Image, "true").ExitCode);
        File.CreateSymbolicLink(Path.Combine(store.Cli.StoreRoot, "containers", ".names", "ghost"), new string('0', 64));
        Assert.Equal(0, store.Cli.Run("system", "check", "--repair").ExitCode);
        Assert.Empty(store.Entries(Path.Combine("containers", ".names")));
        Assert.Equal(0, store.Cli.Run("system", "check").ExitCode);
    }
}
