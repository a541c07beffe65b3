using System.Text.Json;
using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;
using MiniRun.Native;

namespace MiniRun.Tests.Containers;

/// <summary>A btrfs file system of its own holding a store made with --storage-driver btrfs, with `runtest:latest` loaded.</summary>
public sealed class BtrfsImageFixture : IDisposable
{
    public BtrfsFileSystem? FileSystem { get; }
    public MiniRunCli Cli { get; }
    public string Image => "runtest:latest";

    public BtrfsImageFixture()
    {
        if (new BtrfsFactAttribute().Skip is not null)
        {
            Cli = new MiniRunCli("/nonexistent");
            return;
        }
        FileSystem = new BtrfsFileSystem();
        try
        {
            Cli = new MiniRunCli(FileSystem.Combine("store"));
            string archive = FileSystem.Combine("runtest.tar");
            new ImageArchiveBuilder { WorkingDir = "/srv" }
                .AddLayer(BusyboxRootfs.LayerTarBytes())
                .AddLayer(LayerTar.Files(("srv/marker", "from-image\n")))
                .WithName(Image)
                .Write(ArchiveFormat.DockerSave, archive);
            MiniRunCli.Result load = Cli.Run("--storage-driver", "btrfs", "load", "-i", archive);
            if (load.ExitCode != 0) throw new InvalidOperationException("loading the run test image into a btrfs store failed: " + load);
        }
        catch
        {
            FileSystem.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (FileSystem is null) return;
        try
        {
            foreach (string id in Cli.Run("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                Cli.Run("rm", "-f", id);
        }
        finally
        {
            FileSystem.Dispose();
        }
    }
}

/// <summary>
/// The btrfs storage driver end to end: each layer a read-only subvolume snapshotted from the one below, each
/// container a writable snapshot of its image's top tree, deleted with it; refused off btrfs in one line.
/// </summary>
public class BtrfsDriverTests(BtrfsImageFixture fixture) : IClassFixture<BtrfsImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    private string StoreRoot => Cli.StoreRoot;

    private string Subvolumes => Path.Combine(StoreRoot, "btrfs", "subvolumes");

    [BtrfsFact]
    public void Load_BtrfsStore_EachLayerTreeIsAReadOnlySubvolume()
    {
        string[] trees = Directory.GetDirectories(Subvolumes);

        Assert.Equal(2, trees.Length); // the busybox layer's tree, and its snapshot with /srv/marker
        Assert.All(trees, tree => Assert.True(BtrfsSubvolumes.IsSubvolume(tree), tree + " is not a subvolume"));
        Assert.All(trees, tree => Assert.True(BtrfsSubvolumes.IsReadOnly(tree), tree + " is writable"));
        string top = trees.Single(t => File.Exists(Path.Combine(t, "srv", "marker")));
        Assert.True(File.Exists(Path.Combine(top, "bin", "busybox"))); // a full tree, not the layer's changes only
        Assert.Throws<IOException>(() => File.WriteAllText(Path.Combine(top, "srv", "root-write"), "x")); // EROFS, even for root
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(StoreRoot, "tmp"), "tree*"));
    }

    [BtrfsFact]
    public void Run_BtrfsStore_ContainerWritesItsOwnSnapshotOnly()
    {
        try
        {
            MiniRunCli.Result first = Cli.Run("run", "--name", "btrfs-writer", "--network", "none", fixture.Image,
                "sh", "-c", "echo mine > /srv/new; rm /srv/marker; head -c 100000 /dev/zero > /srv/big; cat /srv/new");
            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.Equal("mine\n", first.Stdout);

            MiniRunCli.Result second = Cli.Run("run", "--rm", "--network", "none", fixture.Image, "sh", "-c", "cat /srv/marker; ls /srv");
            Assert.Equal("from-image\nmarker\n", second.Stdout); // the image's tree is untouched

            string id = Cli.RunOk("inspect", "-f", "{{.Id}}", "btrfs-writer").Stdout.Trim();
            string merged = Path.Combine(StoreRoot, "containers", id, "merged");
            Assert.True(BtrfsSubvolumes.IsSubvolume(merged));
            Assert.False(BtrfsSubvolumes.IsReadOnly(merged));
            Assert.Equal("mine\n", File.ReadAllText(Path.Combine(merged, "srv", "new")));
            Assert.Equal(["A /srv/big", "A /srv/new", "C /srv", "D /srv/marker"], Lines(Cli.RunOk("diff", "btrfs-writer").Stdout).Order(StringComparer.Ordinal));
            // What the container wrote, not its image's tree: ps -s and system df count the changed files' bytes.
            Assert.Matches(@"^100kB \(virtual ", Cli.RunOk("ps", "-a", "-s", "--format", "{{.Size}}", "--filter", "name=btrfs-writer").Stdout);
            Assert.Contains(Lines(Cli.RunOk("system", "df").Stdout), l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^Containers\s+1\s+0\s+100kB\s"));
        }
        finally
        {
            Cli.Run("rm", "-f", "btrfs-writer");
        }
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), line => line.Contains(StoreRoot, StringComparison.Ordinal));
    }

    [BtrfsFact]
    public void Rm_BtrfsContainer_DeletesItsSubvolume_RmiDeletesTheLayers()
    {
        using var scratch = new TempDirectory("minirun-btrfs-rmi");
        string archive = scratch.Combine("other.tar");
        new ImageArchiveBuilder().AddLayer(BusyboxRootfs.LayerTarBytes()).AddLayer(LayerTar.Files(("other", "o\n"))).WithName("other:latest")
            .Write(ArchiveFormat.DockerSave, archive);
        try
        {
            Cli.RunOk("load", "-i", archive);
            Assert.Equal(3, Directory.GetDirectories(Subvolumes).Length); // the busybox tree is shared: one more
            Cli.RunOk("run", "--name", "btrfs-rm", "--network", "none", "other:latest", "touch", "/x");
            Assert.Equal(4, SubvolumeCount());

            Cli.RunOk("rm", "btrfs-rm");
            Assert.Equal(3, SubvolumeCount());
            Cli.RunOk("run", "--rm", "--network", "none", "other:latest", "true");
            Assert.Equal(3, SubvolumeCount());

            Cli.RunOk("rmi", "other:latest");
            Assert.Equal(2, Directory.GetDirectories(Subvolumes).Length);
            Assert.Equal(2, SubvolumeCount()); // deleted, not only unlisted
        }
        finally
        {
            Cli.Run("rm", "-f", "btrfs-rm");
            Cli.Run("rmi", "other:latest");
        }
    }

    [BtrfsFact]
    public void Inspect_BtrfsContainer_GraphDriverAsDockerShowsIt()
    {
        try
        {
            Cli.RunOk("create", "--name", "btrfs-inspect", "--network", "none", fixture.Image);
            using JsonDocument container = JsonDocument.Parse(Cli.RunOk("inspect", "btrfs-inspect").Stdout);
            JsonElement c = container.RootElement[0];
            Assert.Equal("btrfs", c.GetProperty("Driver").GetString());
            Assert.Equal("btrfs", c.GetProperty("GraphDriver").GetProperty("Name").GetString());
            Assert.Equal(JsonValueKind.Null, c.GetProperty("GraphDriver").GetProperty("Data").ValueKind); // moby's btrfs GetMetadata: nil

            using JsonDocument image = JsonDocument.Parse(Cli.RunOk("image", "inspect", fixture.Image).Stdout);
            Assert.Equal("btrfs", image.RootElement[0].GetProperty("GraphDriver").GetProperty("Name").GetString());
            Assert.Equal(JsonValueKind.Null, image.RootElement[0].GetProperty("GraphDriver").GetProperty("Data").ValueKind);
            Assert.Contains(" Storage Driver: btrfs\n", Cli.RunOk("info").Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", "btrfs-inspect");
        }
    }

    [BtrfsFact]
    public void Explain_BtrfsRun_ShowsTheSnapshotInsteadOfAnOverlayMount()
    {
        MiniRunCli.Result result = Cli.Run("run", "--rm", "--explain", "--network", "none", fixture.Image, "cat", "marker");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("from-image\n", result.Stdout);
        Assert.Matches(@"\n\+ btrfs subvolume snapshot \S+/btrfs/subvolumes/\S+ \S+/merged >/dev/null\n", result.Stderr); // $STORE/btrfs/subvolumes/$ID $T/merged
        Assert.Matches(@"btrfs subvolume create \S+ && .* && btrfs property set \S+ ro true", result.Stderr); // how the layers' trees were made
        Assert.Contains("mount --bind", result.Stderr);
        Assert.DoesNotContain("overlay -o lowerdir=", result.Stderr);
    }

    [BtrfsFact]
    public void DryRun_BtrfsStore_ScriptSnapshotsReplaysAndDeletesTheSnapshot()
    {
        string[] command = ["sh", "-c", "cat marker; cat /etc/hostname; ls /; touch /x && echo wrote; exit 3"];
        MiniRunCli.Result dryRun = Cli.Run(["run", "--rm", "--dry-run", "--hostname", "box", "--network", "none", fixture.Image, .. command]);
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains("\nbtrfs subvolume snapshot ", dryRun.Stdout);
        Assert.Contains("\nbtrfs subvolume delete ", dryRun.Stdout);
        Assert.DoesNotContain("overlay -o lowerdir=", dryRun.Stdout);
        MiniRunCli.Result real = Cli.Run(["run", "--rm", "--hostname", "box", "--network", "none", fixture.Image, .. command]);

        using var scratch = new TempDirectory("minirun-btrfs-dryrun");
        string script = scratch.Combine("run.sh");
        File.WriteAllText(script, dryRun.Stdout);
        ExternalCommand.Result replayed = ExternalCommand.Run("bash", [script], TimeSpan.FromMinutes(1));

        Assert.Equal(3, real.ExitCode);
        Assert.Equal(real.Stdout, replayed.Stdout);
        Assert.Equal(3, replayed.ExitCode);
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), line => line.Contains(StoreRoot, StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(StoreRoot, "tmp"), "dry-run-*"));
        Assert.Equal(2, SubvolumeCount()); // the layers' only: the script's snapshot went with it
    }

    [RootFact]
    public void StorageDriverBtrfs_StoreNotOnBtrfs_RefusedInOneLine_AsDoctorSays()
    {
        // /dev/shm is a tmpfs: nothing of the store is made there, so nothing is left to clean up either.
        string root = $"/dev/shm/minirun-not-btrfs-{Guid.NewGuid():N}";
        var cli = new MiniRunCli(root);
        string expected = $"the btrfs storage driver needs its store on a btrfs file system, and {root} is on tmpfs";

        MiniRunCli.Result refused = cli.Run("--storage-driver", "btrfs", "images");
        MiniRunCli.Result fromEnvironment = cli.RunWithEnvironment(new Dictionary<string, string> { ["MINIRUN_STORAGE_DRIVER"] = "btrfs" }, "ps");
        MiniRunCli.Result doctor = cli.Run("--storage-driver", "btrfs", "doctor");

        Assert.Equal(125, refused.ExitCode);
        Assert.Equal($"minirun: {expected}: use a store on btrfs (--root DIR) or another storage driver (overlay, vfs)\n", refused.Stderr);
        Assert.Equal(125, fromEnvironment.ExitCode);
        Assert.Equal(refused.Stderr, fromEnvironment.Stderr);
        Assert.False(Directory.Exists(root)); // refused before anything was made
        Assert.Contains($"FAIL  storage      {expected}", doctor.Stdout);
    }

    [BtrfsFact]
    public void Doctor_BtrfsStore_SaysTheStoreIsOnBtrfs()
    {
        string storage = Lines(Cli.Run("doctor").Stdout).Single(l => l.StartsWith("ok    storage", StringComparison.Ordinal));
        Assert.Contains($"{StoreRoot} uses btrfs", storage);
        Assert.Contains("btrfs (the store is on btrfs: snapshots)", storage);
    }

    /// <summary>The subvolumes of the test's file system (its top level excluded): the layers' and the containers'.</summary>
    private int SubvolumeCount() =>
        Lines(ExternalCommand.Run("btrfs", ["subvolume", "list", fixture.FileSystem!.MountPoint], TimeSpan.FromMinutes(1)).Stdout).Count();

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
