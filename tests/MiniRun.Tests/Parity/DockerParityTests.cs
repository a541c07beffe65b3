namespace MiniRun.Tests.Parity;

/// <summary>
/// The yardstick: an image built by the real Docker engine, loaded into minirun in each
/// format, shows inside a minirun container exactly the file tree it shows inside `docker run`.
/// </summary>
public sealed class DockerParityTests(ParityImage image) : IClassFixture<ParityImage>
{
    /// <summary>Checks the harness itself: the Docker side really holds every case the others compare.</summary>
    [DockerFact]
    public void DockerBuild_ParityImage_HoldsEveryCase()
    {
        IReadOnlyList<string> tree = image.DockerListing;
        string Line(string path) => TreeListing.Find(tree, path) ?? throw new Xunit.Sdk.XunitException($"{path} missing:\n{string.Join('\n', tree)}");

        Assert.Null(TreeListing.Find(tree, "/d/old"));            // opaque directory hides the lower /d
        Assert.Null(TreeListing.Find(tree, "/d/sub"));
        Assert.Contains("/d/new regular file", Line("/d/new"));
        Assert.Null(TreeListing.Find(tree, "/gone-dir"));         // whiteout of a directory
        Assert.Null(TreeListing.Find(tree, "/bin/vi"));           // whiteout of a base-layer file
        Assert.Null(TreeListing.Find(tree, "/etc/shadow"));
        Assert.Contains("/keep/gone directory", Line("/keep/gone"));
        Assert.Contains("mode=600", Line("/keep/a"));
        Assert.Contains("links=2", Line("/hl-a"));
        Assert.Contains("-> /hl-a", Line("/sym-abs"));
        Assert.Contains("uid=7 gid=7", Line("/sym-abs"));
        Assert.Contains("-> ../hl-a", Line("/usr/sym-rel"));
        Assert.Contains("mode=4755 uid=1000 gid=0", Line("/suid"));
        Assert.Contains("mode=2711", Line("/sgid"));
        Assert.Contains("directory mode=1777", Line("/sticky"));
        Assert.Contains("directory mode=750 uid=123 gid=456", Line("/owned-dir"));
        Assert.Contains("fifo mode=640", Line("/fifo"));
        Assert.Contains("size=11", Line("/name with space"));
        Assert.Contains("-> /bin/busybox", Line("/bin/sh"));
        Assert.DoesNotContain(tree, l => l.StartsWith("/proc/", StringComparison.Ordinal) || l.StartsWith("/.dockerenv", StringComparison.Ordinal));
    }

    [DockerTheory]
    [InlineData(ParityFormat.DockerSave)]
    [InlineData(ParityFormat.OciLayoutGzip)]
    [InlineData(ParityFormat.OciLayoutZstd)]
    [InlineData(ParityFormat.OciArchive)]
    public void Load_EachFormat_GivesSameTreeAsDocker(ParityFormat format)
    {
        string archive = image.Archive(format);
        using var store = new TempDirectory("minirun-parity-store");
        var cli = new MiniRunCli(store.Path);

        // --tag repeats the name the archive already carries, so the run below finds it either way.
        var load = cli.Run("load", "-i", archive, "--tag", image.Name);
        Assert.True(load.ExitCode == 0, $"minirun load ({format}) failed: {load}");

        AssertSameTreeAsDocker(cli, image.Name);
    }

    /// <summary>
    /// vfs: each layer a full copy of the one below with its changes applied (deletes, opaque dirs), the container a
    /// copy of the top; btrfs: the same trees as snapshots, on a btrfs file system of the test's own.
    /// </summary>
    [DockerTheory]
    [InlineData("vfs", ParityFormat.DockerSave)]
    [InlineData("vfs", ParityFormat.OciLayoutGzip)]
    [InlineData("btrfs", ParityFormat.DockerSave)]
    [InlineData("btrfs", ParityFormat.OciLayoutGzip)]
    public void Load_TreeDriver_GivesSameTreeAsDocker(string driver, ParityFormat format)
    {
        using var store = new DriverStore(driver, "minirun-parity-store");
        var cli = new MiniRunCli(store.Path);

        var load = cli.Run("--storage-driver", driver, "load", "-i", image.Archive(format), "--tag", image.Name);
        Assert.True(load.ExitCode == 0, $"minirun load ({format}) into a {driver} store failed: {load}");

        AssertSameTreeAsDocker(cli, image.Name);
    }

    [DockerFact]
    public void Import_DockerExport_GivesSameTreeAsDocker()
    {
        string tar = image.ExportTar;
        using var store = new TempDirectory("minirun-parity-store");
        var cli = new MiniRunCli(store.Path);

        var import = cli.Run("import", tar, "parity-export:latest");
        Assert.True(import.ExitCode == 0, $"minirun import failed: {import}");

        AssertSameTreeAsDocker(cli, "parity-export:latest");
    }

    private void AssertSameTreeAsDocker(MiniRunCli cli, string reference)
    {
        var run = cli.Run(["run", "--rm", "--network", "none", reference, .. TreeListing.Command]);
        Assert.True(run.ExitCode == 0, $"minirun run failed: {run}");
        string difference = TreeListing.Difference(image.DockerListing, TreeListing.Parse(run.Stdout));
        Assert.True(difference.Length == 0, difference);
    }
}
