using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;
using MiniRun.Native;

namespace MiniRun.Tests.Containers;

/// <summary>`minirun mount`/`umount` (overlay on the host), `minirun layers` (what each layer does, where a file comes from), `load --explain`.</summary>
public class ManualMountTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    [RootFact]
    public void Mount_WriteThroughMerged_ShowsCopyUpAndWhiteoutInUpper()
    {
        string name = "mnt-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(0, Cli.Run("run", "--name", name, fixture.Image, "true").ExitCode);
        try
        {
            MiniRunCli.Result mount = Cli.Run("mount", name);
            Assert.True(mount.ExitCode == 0, mount.ToString());
            Dictionary<string, string> paths = mount.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries)).ToDictionary(p => p[0], p => p[1].Trim());
            string merged = paths["merged"], upper = paths["upper"];
            Assert.Equal(["container", "lower", "upper", "work", "merged"], paths.Keys);
            Assert.Contains(Path.Combine(Cli.StoreRoot, "l") + "/", paths["lower"]);

            File.AppendAllText(Path.Combine(merged, "srv/marker"), "more\n");
            File.Delete(Path.Combine(merged, "bin/echo"));

            Assert.Equal("from-image\nmore\n", File.ReadAllText(Path.Combine(upper, "srv/marker"))); // copied up whole, then written
            FileStatus whiteout = Syscalls.LStat(Path.Combine(upper, "bin/echo"));
            Assert.True(whiteout.IsCharacterDevice && whiteout.RdevMajor == 0 && whiteout.RdevMinor == 0);
            Assert.Equal(mount.Stdout, Cli.Run("mount", name).Stdout); // mounting again reuses the mount

            MiniRunCli.Result umount = Cli.Run("umount", name);
            Assert.True(umount.ExitCode == 0, umount.ToString());
            Assert.False(File.Exists(Path.Combine(merged, "srv/marker")));
            Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), l => l.Contains(merged, StringComparison.Ordinal));
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void Mount_Image_CreatesAContainerForItAndReusesIt()
    {
        MiniRunCli.Result first = Cli.Run("mount", fixture.Image);
        try
        {
            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.Equal(first.Stdout, Cli.Run("mount", fixture.Image).Stdout);
            Assert.Equal(0, Cli.Run("umount", fixture.Image).ExitCode);
            Assert.Equal(first.Stdout, Cli.Run("mount", fixture.Image).Stdout); // same container, mounted again
        }
        finally
        {
            Cli.Run("umount", fixture.Image);
            Cli.Run("rm", "-f", "mount-runtest-latest");
        }
    }

    [RootFact]
    public void Mount_Image_ItsContainerShowsTheImagesName_AndASecondUmountSaysNotMounted()
    {
        const string container = "mount-runtest-latest";
        try
        {
            Assert.Equal(0, Cli.Run("mount", fixture.Image).ExitCode);
            string row = Cli.Run("ps", "-a").Stdout.Split('\n').Single(l => l.EndsWith(container, StringComparison.Ordinal));
            Assert.Matches(@"^[0-9a-f]{12}\s+runtest:latest\s", row); // as ps shows any container's image: by the name it was given
            Assert.Equal("runtest:latest", Cli.Run("inspect", "--format", "{{.Config.Image}}", container).Stdout.Trim());

            Assert.Equal(0, Cli.Run("umount", fixture.Image).ExitCode);
            MiniRunCli.Result again = Cli.Run("umount", fixture.Image);
            Assert.Equal(1, again.ExitCode);
            Assert.Equal("", again.Stdout);
            Assert.Equal($"minirun: {fixture.Image} is not mounted\n", again.Stderr);
        }
        finally
        {
            Cli.Run("umount", fixture.Image);
            Cli.Run("rm", "-f", container);
        }
    }

    [RootFact]
    public void Umount_NoSuchName_SaysNoSuchContainerOrMountedImage()
    {
        MiniRunCli.Result result = Cli.Run("umount", "nosuch");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("minirun: no such container or mounted image: nosuch\n", result.Stderr);
    }

    [RootFact]
    public void Mount_ImageWithLayerDirs_StacksThemOnTop_AndInspectsLowerDirListsThemInOrder()
    {
        using var scratch = new TempDirectory("minirun-mount-layer");
        string top = scratch.Combine("top"), second = scratch.Combine("second");
        Directory.CreateDirectory(Path.Combine(top, "srv"));
        Directory.CreateDirectory(Path.Combine(second, "srv"));
        File.WriteAllText(Path.Combine(top, "srv/marker"), "from-top\n");
        File.WriteAllText(Path.Combine(second, "srv/marker"), "from-second\n");
        File.WriteAllText(Path.Combine(second, "srv/only-second"), "2\n");
        const string container = "mount-runtest-latest";
        try
        {
            MiniRunCli.Result mount = Cli.Run("mount", "--layer", top, "--layer", second, fixture.Image);
            Assert.True(mount.ExitCode == 0, mount.ToString());
            Dictionary<string, string> paths = mount.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries)).ToDictionary(p => p[0], p => p[1].Trim());
            Assert.Equal("from-top\n", File.ReadAllText(Path.Combine(paths["merged"], "srv/marker"))); // the first --layer is the top
            Assert.Equal("2\n", File.ReadAllText(Path.Combine(paths["merged"], "srv/only-second")));

            string[] lower = paths["lower"].Split(':');
            Assert.Equal([top, second], lower.Take(2).Select(l => new DirectoryInfo(l).ResolveLinkTarget(returnFinalTarget: true)?.FullName));
            string inspected = Cli.Run("inspect", "--format", "{{.GraphDriver.Data.LowerDir}}", container).Stdout.Trim();
            Assert.Equal(paths["lower"], inspected);

            MiniRunCli.Result other = Cli.Run("mount", "--layer", second, fixture.Image);
            Assert.Equal(125, other.ExitCode);
            Assert.StartsWith($"minirun: {container} was made with other --layer directories ({top}, {second}): ", other.Stderr);
        }
        finally
        {
            Cli.Run("umount", fixture.Image);
            Cli.Run("rm", "-f", container);
        }
    }

    [RootFact]
    public void Mount_LayerForAContainer_IsRefused()
    {
        string name = "mnt-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(0, Cli.Run("create", "--name", name, fixture.Image, "true").ExitCode);
        try
        {
            MiniRunCli.Result result = Cli.Run("mount", "--layer", fixture.Scratch.Path, name);
            Assert.Equal(125, result.ExitCode);
            Assert.StartsWith($"minirun: --layer only applies to an image: container {name} has its layers", result.Stderr);
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void Layers_Path_NamesTheLayerTheVisibleFileComesFrom()
    {
        using var scratch = new TempDirectory("minirun-layers");
        var cli = new MiniRunCli(scratch.Combine("store"));
        var builder = new ImageArchiveBuilder()
            .AddLayer(BusyboxRootfs.LayerTarBytes())
            .AddLayer(LayerTar.Files(("srv/a", "one\n"), ("srv/b", "one\n")))
            .AddLayer(LayerTar.Files(("srv/a", "two\n"), ("srv/.wh.b", ""), ("opt/.wh..wh..opq", "")))
            .WithName("layered:1");
        string archive = scratch.Combine("layered.tar");
        builder.Write(ArchiveFormat.DockerSave, archive);
        MiniRunCli.Result load = cli.Run("load", "--explain", "-i", archive);
        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Contains("&& tar -x -C ", load.Stderr);
        Assert.Matches(@"\+ mknod \S+/diff/srv/b c 0 0\n", load.Stderr);
        Assert.Matches(@"\+ setfattr -n trusted.overlay.opaque -v y \S+/diff/opt\n", load.Stderr);

        Assert.Matches(@"^/srv/a comes from layer 3/3 sha256:[0-9a-f]{12} l/\w+ ", cli.Run("layers", "layered:1", "--path", "/srv/a").Stdout);
        Assert.Matches(@"^/bin/sh comes from layer 1/3 ", cli.Run("layers", "layered:1", "--path", "/bin/sh").Stdout);
        Assert.Matches(@"^/srv/b is not visible: /srv/b is deleted \(a whiteout\) in it: layer 3/3 ", cli.Run("layers", "layered:1", "--path", "/srv/b").Stdout);
        MiniRunCli.Result missing = cli.Run("layers", "layered:1", "--path", "/nope");
        Assert.Equal(125, missing.ExitCode);
        Assert.Equal("minirun: /nope is in no layer of layered:1\n", missing.Stderr);

        string all = cli.Run("layers", "layered:1").Stdout;
        int top = all.IndexOf("layer 3/3", StringComparison.Ordinal), middle = all.IndexOf("layer 2/3", StringComparison.Ordinal);
        Assert.True(top >= 0 && middle > top && all.IndexOf("layer 1/3", StringComparison.Ordinal) > middle, all);
        string topLayer = all[top..middle];
        Assert.Contains("  C /srv/a\n", topLayer);
        Assert.Contains("  D /srv/b  (whiteout)\n", topLayer);
        Assert.Contains("  O /opt  (opaque: hides the layers below)\n", topLayer);
        Assert.Contains("  A /srv/a\n", all[middle..]);
    }
}
