using System.Text.Json;
using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;

namespace MiniRun.Tests.Containers;

/// <summary>A store made with --storage-driver vfs holding `runtest:latest` (the image <see cref="RunImageFixture"/> loads).</summary>
public sealed class VfsImageFixture : IDisposable
{
    public TempDirectory Scratch { get; } = new("minirun-vfs");
    public MiniRunCli Cli { get; }
    public string Image => "runtest:latest";
    public string Archive => Scratch.Combine("runtest.tar");

    public VfsImageFixture()
    {
        Cli = new MiniRunCli(Scratch.Combine("store"));
        if (!MiniRun.Native.Syscalls.IsRoot) return;
        var builder = new ImageArchiveBuilder { WorkingDir = "/srv" }
            .AddLayer(BusyboxRootfs.LayerTarBytes())
            .AddLayer(LayerTar.Files(("srv/marker", "from-image\n")))
            .WithName(Image);
        builder.Write(ArchiveFormat.DockerSave, Archive);
        MiniRunCli.Result load = Cli.Run("--storage-driver", "vfs", "load", "-i", Archive);
        if (load.ExitCode != 0) throw new InvalidOperationException("loading the run test image into a vfs store failed: " + load);
    }

    public void Dispose()
    {
        if (MiniRun.Native.Syscalls.IsRoot)
            foreach (string id in Cli.Run("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                Cli.Run("rm", "-f", id);
        Scratch.Dispose();
    }
}

/// <summary>
/// The vfs storage driver end to end: each layer a full tree under vfs/dir, each container a full copy that it alone
/// writes; the store remembers the driver; info, inspect, --explain and --dry-run show it as Docker and the shell would.
/// </summary>
public class VfsDriverTests(VfsImageFixture fixture) : IClassFixture<VfsImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    private string StoreRoot => Cli.StoreRoot;

    [RootFact]
    public void Load_VfsStore_MakesOneFullTreePerLayer()
    {
        string[] trees = Directory.GetDirectories(Path.Combine(StoreRoot, "vfs", "dir"));

        Assert.Equal(2, trees.Length); // the busybox layer's tree, and that tree with /srv/marker
        string top = trees.Single(t => File.Exists(Path.Combine(t, "srv", "marker")));
        Assert.True(File.Exists(Path.Combine(top, "bin", "busybox"))); // a full tree, not the layer's changes only
        Assert.Equal("from-image\n", File.ReadAllText(Path.Combine(top, "srv", "marker")));
    }

    [RootFact]
    public void Run_VfsStore_ContainerWritesItsOwnCopyOnly()
    {
        try
        {
            MiniRunCli.Result first = Cli.Run("run", "--name", "vfs-writer", "--network", "none", fixture.Image, "sh", "-c", "echo mine > /srv/new; rm /srv/marker; cat /srv/new");
            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.Equal("mine\n", first.Stdout);

            MiniRunCli.Result second = Cli.Run("run", "--rm", "--network", "none", fixture.Image, "sh", "-c", "cat /srv/marker; ls /srv");
            Assert.Equal("from-image\nmarker\n", second.Stdout); // the image's tree is untouched

            string id = Cli.RunOk("inspect", "-f", "{{.Id}}", "vfs-writer").Stdout.Trim();
            string container = Path.Combine(StoreRoot, "containers", id);
            Assert.Equal("mine\n", File.ReadAllText(Path.Combine(container, "merged", "srv", "new")));
            Assert.False(Directory.Exists(Path.Combine(container, "diff"))); // no upper dir: the copy is the container
            Assert.Equal(["A /srv/new", "C /srv", "D /srv/marker"], Lines(Cli.RunOk("diff", "vfs-writer").Stdout).Order(StringComparer.Ordinal));
        }
        finally
        {
            Cli.Run("rm", "-f", "vfs-writer");
        }
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), line => line.Contains(StoreRoot, StringComparison.Ordinal));
    }

    [RootFact]
    public void Info_VfsStore_SaysVfs_AndAnotherDriverIsRefusedInOneLine()
    {
        Assert.Contains(" Storage Driver: vfs\n", Cli.RunOk("info").Stdout);
        Assert.Equal("vfs\n", Cli.RunOk("info", "--format", "{{.Driver}}").Stdout);

        MiniRunCli.Result refused = Cli.Run("--storage-driver", "overlay", "images");
        Assert.Equal(125, refused.ExitCode);
        Assert.Equal($"minirun: the store at {StoreRoot} uses the vfs storage driver, not overlay: drop --storage-driver (and $MINIRUN_STORAGE_DRIVER) " +
                     "to use it, or give overlay a store of its own (--root DIR)\n", refused.Stderr);

        MiniRunCli.Result fromEnvironment = Cli.RunWithEnvironment(new Dictionary<string, string> { ["MINIRUN_STORAGE_DRIVER"] = "overlay" }, "ps");
        Assert.Equal(125, fromEnvironment.ExitCode);
    }

    [RootFact]
    public void EnvironmentVariable_NewStore_IsMadeWithThatDriver()
    {
        using var store = new TempDirectory("minirun-vfs-env");
        var cli = new MiniRunCli(store.Path);

        MiniRunCli.Result info = cli.RunWithEnvironment(new Dictionary<string, string> { ["MINIRUN_STORAGE_DRIVER"] = "vfs" }, "info");

        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains(" Storage Driver: vfs\n", info.Stdout);
        Assert.Contains(" Storage Driver: vfs\n", cli.RunOk("info").Stdout); // remembered
        Assert.Equal(125, cli.Run("--storage-driver", "zfs", "info").ExitCode);
    }

    [RootFact]
    public void Inspect_VfsContainer_GraphDriverAsDockerShowsIt()
    {
        try
        {
            Cli.RunOk("create", "--name", "vfs-inspect", fixture.Image);
            using JsonDocument container = JsonDocument.Parse(Cli.RunOk("inspect", "vfs-inspect").Stdout);
            JsonElement c = container.RootElement[0];
            Assert.Equal("vfs", c.GetProperty("Driver").GetString());
            Assert.Equal("vfs", c.GetProperty("GraphDriver").GetProperty("Name").GetString());
            Assert.Equal(JsonValueKind.Null, c.GetProperty("GraphDriver").GetProperty("Data").ValueKind); // moby's vfs GetMetadata: nil

            using JsonDocument image = JsonDocument.Parse(Cli.RunOk("image", "inspect", fixture.Image).Stdout);
            Assert.Equal("vfs", image.RootElement[0].GetProperty("GraphDriver").GetProperty("Name").GetString());
            Assert.Equal(JsonValueKind.Null, image.RootElement[0].GetProperty("GraphDriver").GetProperty("Data").ValueKind);
        }
        finally
        {
            Cli.Run("rm", "-f", "vfs-inspect");
        }
    }

    [RootFact]
    public void Explain_VfsRun_ShowsTheCopyInsteadOfAnOverlayMount()
    {
        MiniRunCli.Result result = Cli.Run("run", "--rm", "--explain", "--network", "none", fixture.Image, "cat", "marker");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("from-image\n", result.Stdout);
        Assert.Matches(@"\n\+ \S*cp -a --reflink=auto --no-target-directory \S+/vfs/dir/\S+ \S+/merged\n", result.Stderr); // $STORE/vfs/dir/$ID $T/merged
        Assert.Contains("mount --bind", result.Stderr);
        Assert.DoesNotContain("overlay -o lowerdir=", result.Stderr);
    }

    [RootFact]
    public void DryRun_VfsStore_ScriptCopiesTheTreeAndPrintsWhatTheRunPrints()
    {
        string[] command = ["sh", "-c", "cat marker; cat /etc/hostname; ls /; touch /x && echo wrote; exit 3"];
        MiniRunCli.Result dryRun = Cli.Run(["run", "--rm", "--dry-run", "--hostname", "box", "--network", "none", fixture.Image, .. command]);
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains("cp -a --reflink=auto --no-target-directory", dryRun.Stdout);
        Assert.Contains("| tar -C", dryRun.Stdout); // the init layer's files laid onto the copy
        Assert.DoesNotContain("overlay -o lowerdir=", dryRun.Stdout);
        MiniRunCli.Result real = Cli.Run(["run", "--rm", "--hostname", "box", "--network", "none", fixture.Image, .. command]);

        using var scratch = new TempDirectory("minirun-vfs-dryrun");
        string script = scratch.Combine("run.sh");
        File.WriteAllText(script, dryRun.Stdout);
        ExternalCommand.Result replayed = ExternalCommand.Run("bash", [script], TimeSpan.FromMinutes(1));

        Assert.Equal(3, real.ExitCode);
        Assert.Equal(real.Stdout, replayed.Stdout);
        Assert.Equal(3, replayed.ExitCode);
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), line => line.Contains(StoreRoot, StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(StoreRoot, "tmp"), "dry-run-*"));
    }

    [RootFact]
    public void Mount_VfsImage_BindsItsCopy_PrintsNoUpperOrWorkDir()
    {
        try
        {
            string[] lines = Lines(Cli.RunOk("mount", fixture.Image).Stdout).ToArray();
            Assert.Equal(["container", "lower", "merged"], lines.Select(l => l.Split(' ')[0]));
            string merged = lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            Assert.Contains(File.ReadAllLines("/proc/self/mounts"), line => line.Split(' ')[1] == merged);
            Assert.Equal("from-image\n", File.ReadAllText(Path.Combine(merged, "srv", "marker")));
            Assert.Matches(@"/vfs/dir/[0-9a-f]{64}$", lines[1]); // below the init layer: the image's top tree
        }
        finally
        {
            Cli.Run("umount", fixture.Image);
            Cli.Run("rm", "-f", "mount-runtest-latest");
        }
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), line => line.Contains(StoreRoot, StringComparison.Ordinal));
    }

    [RootFact]
    public void ExportAndCp_StoppedVfsContainer_ReadItsCopyAndLeaveNothingMounted()
    {
        using var scratch = new TempDirectory("minirun-vfs-export");
        try
        {
            Cli.RunOk("run", "--name", "vfs-export", "--network", "none", fixture.Image, "sh", "-c", "echo hi > /srv/x; rm /srv/marker");
            string tar = scratch.Combine("export.tar");
            Cli.RunOk("export", "-o", tar, "vfs-export");
            string[] names = Lines(ExternalCommand.Run("tar", ["-tf", tar], TimeSpan.FromMinutes(1)).Stdout).ToArray();
            Assert.Contains("srv/x", names);
            Assert.DoesNotContain("srv/marker", names);
            Assert.Contains("bin/busybox", names);

            Cli.RunOk("cp", "vfs-export:/srv/x", scratch.Combine("x"));
            Assert.Equal("hi\n", File.ReadAllText(scratch.Combine("x")));
        }
        finally
        {
            Cli.Run("rm", "-f", "vfs-export");
        }
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), line => line.Contains(StoreRoot, StringComparison.Ordinal));
    }

    [RootFact]
    public void Rmi_VfsStore_RemovesTheImagesTrees()
    {
        using var store = new TempDirectory("minirun-vfs-rmi");
        var cli = new MiniRunCli(store.Path);
        cli.RunOk("--storage-driver", "vfs", "load", "-i", fixture.Archive);
        Assert.Equal(2, Directory.GetDirectories(store.Combine("vfs", "dir")).Length);

        cli.RunOk("rmi", fixture.Image);

        Assert.Empty(Directory.GetDirectories(store.Combine("vfs", "dir")));
        Assert.Empty(Directory.GetFileSystemEntries(store.Combine("tmp")));
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
