namespace MiniRun.Tests.Parity;

/// <summary>
/// diff, commit and save against the real Docker engine: the same changes give the same `docker diff` lines, and a
/// `minirun save` archive loads into Docker and shows there the tree minirun shows.
/// </summary>
public sealed class LifecycleParityTests(ParityImage image) : IClassFixture<ParityImage>
{
    // Edits a lower file, deletes a lower file, deletes a directory, replaces one (opaque), creates nested new files.
    private const string Changes =
        "echo more >> /keep/a; rm /etc/shadow; rm -rf /keep/gone; rm -rf /usr && mkdir -p /usr/new && echo n > /usr/new/f; " +
        "mkdir -p /made/deep/er && echo 1 > /made/deep/er/f && echo 2 > /made/top; echo 3 > /etc/newfile";

    /// <param name="driver">the new store's storage driver: overlay (an upper dir), vfs (a full copy compared with its
    /// image's tree) or btrfs (a snapshot compared with it; the store on a btrfs of the test's own).</param>
    private MiniRunCli LoadIntoMiniRun(string store, string driver = "overlay")
    {
        var cli = new MiniRunCli(store);
        var load = cli.Run("--storage-driver", driver, "load", "-i", image.Archive(ParityFormat.DockerSave), "--tag", image.Name);
        Assert.True(load.ExitCode == 0, load.ToString());
        return cli;
    }

    private static List<string> Sorted(string lines) => lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();

    [DockerTheory]
    [InlineData("overlay")]
    [InlineData("vfs")]
    [InlineData("btrfs")]
    public void Diff_SameChanges_SameLinesAsDockerDiff(string driver)
    {
        using var store = new DriverStore(driver, "minirun-lifecycle-parity");
        MiniRunCli cli = LoadIntoMiniRun(store.Path, driver);
        string dockerName = $"minirun-diff-{Guid.NewGuid():N}";
        try
        {
            Assert.Equal(0, cli.Run("run", "--name", "changed", "--network", "none", image.Name, "sh", "-c", Changes).ExitCode);
            DockerEngine.Docker("run", "--name", dockerName, "--network", "none", image.Name, "sh", "-c", Changes);

            var diff = cli.Run("diff", "changed");
            Assert.True(diff.ExitCode == 0, diff.ToString());
            // Docker's order changes from call to call (it walks Go maps); the lines themselves are the contract.
            Assert.Equal(Sorted(DockerEngine.Docker("diff", dockerName)), Sorted(diff.Stdout));
        }
        finally
        {
            cli.Run("rm", "-f", "changed");
            DockerEngine.TryDocker("rm", "-f", dockerName);
        }
    }

    [DockerTheory]
    [InlineData("overlay")]
    [InlineData("vfs")]
    [InlineData("btrfs")]
    public void CommitThenSave_LoadsIntoDocker_SameTreeAsMiniRun(string driver)
    {
        using var store = new DriverStore(driver, "minirun-lifecycle-parity");
        MiniRunCli cli = LoadIntoMiniRun(store.Path, driver);
        string committed = $"minirun-committed-{Guid.NewGuid():N}:v1";
        try
        {
            Assert.Equal(0, cli.Run("run", "--name", "changed", "--network", "none", image.Name, "sh", "-c", Changes).ExitCode);
            var commit = cli.Run("commit", "changed", committed);
            Assert.True(commit.ExitCode == 0, commit.ToString());

            // The committed image runs and shows the edits and the deletions.
            var check = cli.Run("run", "--rm", "--network", "none", committed, "sh", "-c", "tail -1 /keep/a; ls /etc/shadow /keep/gone /usr/bin 2>&1; cat /made/deep/er/f");
            Assert.Equal("more\nls: /etc/shadow: No such file or directory\nls: /keep/gone: No such file or directory\n" +
                         "ls: /usr/bin: No such file or directory\n1\n", check.Stdout);

            string archive = store.Combine("saved.tar");
            var save = cli.Run("save", "-o", archive, committed);
            Assert.True(save.ExitCode == 0, save.ToString());
            Assert.Contains("Loaded image: " + committed, DockerEngine.Docker("load", "-i", archive));

            IReadOnlyList<string> dockerTree = TreeListing.Parse(DockerEngine.Docker(["run", "--rm", "--network", "none", committed, .. TreeListing.Command]));
            var run = cli.Run(["run", "--rm", "--network", "none", committed, .. TreeListing.Command]);
            Assert.True(run.ExitCode == 0, run.ToString());
            string difference = TreeListing.Difference(dockerTree, TreeListing.Parse(run.Stdout));
            Assert.True(difference.Length == 0, difference);
        }
        finally
        {
            cli.Run("rm", "-f", "changed");
            DockerEngine.TryDocker("rmi", "-f", committed);
        }
    }

    [DockerFact]
    public void SaveOciFormat_IsAnOciLayoutThatMiniRunLoads()
    {
        using var store = new TempDirectory("minirun-lifecycle-parity");
        MiniRunCli cli = LoadIntoMiniRun(store.Path);
        string archive = store.Combine("oci.tar");
        Assert.Equal(0, cli.Run("save", "--format", "oci", "-o", archive, image.Name).ExitCode);

        using var other = new TempDirectory("minirun-lifecycle-parity-other");
        var second = new MiniRunCli(other.Path);
        var load = second.Run("load", "-i", archive);
        Assert.True(load.ExitCode == 0, load.ToString());
        var run = second.Run(["run", "--rm", "--network", "none", image.Name, .. TreeListing.Command]);
        string difference = TreeListing.Difference(image.DockerListing, TreeListing.Parse(run.Stdout));
        Assert.True(difference.Length == 0, difference);
    }
}
