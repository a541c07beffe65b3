using System.IO.Compression;
using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;

namespace MiniRun.Tests.Images;

/// <summary>
/// `load` and `import` read stdin as docker's do (`load &lt; x.tar`, `load -i -`, `import - NAME`), spool what must be
/// read by offset into the store's tmp/ and remove it after, even on failure; refused input is one line and exit 1.
/// </summary>
public sealed class LoadStdinTests : IDisposable
{
    private const string Name = "stdin-test:1";
    private readonly TempDirectory _temp = new("minirun-stdin");
    private readonly MiniRunCli _cli;

    public LoadStdinTests() => _cli = new MiniRunCli(_temp.Combine("store"));

    public void Dispose() => _temp.Dispose();

    public static TheoryData<ArchiveFormat> Formats() => [ArchiveFormat.DockerSave, ArchiveFormat.DockerSaveLegacy, ArchiveFormat.OciArchive];

    [RootTheory]
    [MemberData(nameof(Formats))]
    public void Load_ArchiveOnStdin_LoadsItAndPrintsOnlyTheLoadedLine(ArchiveFormat format)
    {
        ImageArchiveBuilder image = Image();
        string archive = _temp.Combine("image.tar");
        image.Write(format, archive);

        MiniRunCli.Result load = _cli.RunWithInputFile(archive, "load");

        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Equal(("Loaded image: " + Name + "\n", ""), (load.Stdout, load.Stderr)); // a pipe: no progress, as docker's
        Assert.Contains(image.ImageId, _cli.RunOk("inspect", Name).Stdout);
        AssertNoScratchLeft();
    }

    /// <summary>`load &lt; x.tar`: stdin is the file itself, read in place (no copy), the same output as from a pipe.</summary>
    [RootFact]
    public void Load_FileRedirectedToStdin_LoadsItAndLeavesNoScratch()
    {
        ImageArchiveBuilder image = Image();
        string archive = _temp.Combine("image.tar");
        image.Write(ArchiveFormat.OciArchive, archive);

        ExternalCommand.Result load = ExternalCommand.Run("bash", ["-c", $"{_cli.Binary} --root {_cli.StoreRoot} load < {archive}"]);

        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Equal(("Loaded image: " + Name + "\n", ""), (load.Stdout, load.Stderr));
        Assert.Contains(image.ImageId, _cli.RunOk("inspect", Name).Stdout);
        AssertNoScratchLeft();
    }

    [RootFact]
    public void Load_GzipArchiveWithDashInput_LoadsIt()
    {
        ImageArchiveBuilder image = Image();
        string archive = _temp.Combine("image.tar");
        image.Write(ArchiveFormat.DockerSave, archive);
        string compressed = Gzip(archive);

        MiniRunCli.Result load = _cli.RunWithInputFile(compressed, "load", "-i", "-");

        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Equal("Loaded image: " + Name + "\n", load.Stdout);
        Assert.Contains(image.ImageId, _cli.RunOk("inspect", Name).Stdout);
        AssertNoScratchLeft();
    }

    [RootFact]
    public void Load_RandomBytesOnStdin_SaysNotATarArchiveExitsOneAndLeavesNothing()
    {
        string file = RandomFile();

        MiniRunCli.Result load = _cli.RunWithInputFile(file, "load");

        Assert.Equal(1, load.ExitCode);
        Assert.Matches("^minirun: archive \"stdin\" is not a tar archive: load takes what docker save writes[^\n]*\n$", load.Stderr);
        Assert.Equal("", _cli.RunOk("images", "-q").Stdout);
        AssertNoScratchLeft();
    }

    [RootFact]
    public void Load_EmptyStdin_SaysWhatLoadTakesAndExitsOne()
    {
        string empty = _temp.Combine("empty");
        File.WriteAllBytes(empty, []);

        MiniRunCli.Result load = _cli.RunWithInputFile(empty, "load");

        Assert.Equal(1, load.ExitCode);
        Assert.Matches("^minirun: archive \"stdin\": neither a docker save archive[^\n]*\n$", load.Stderr);
        AssertNoScratchLeft();
    }

    [RootFact]
    public void Import_GzipRootfsOnStdin_ImportsOneLayerImage()
    {
        byte[] rootfs = LayerTar.Files(("etc/hostname", "imported\n"), ("srv/marker", "stdin\n"));
        string tar = _temp.Combine("rootfs.tar");
        File.WriteAllBytes(tar, rootfs);

        MiniRunCli.Result import = _cli.RunWithInputFile(Gzip(tar), "import", "-", "rootfs:1");

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Matches("^sha256:[0-9a-f]{64}\n$", import.Stdout);
        string inspect = _cli.RunOk("inspect", "rootfs:1").Stdout;
        Assert.Contains(ImageArchiveBuilder.Sha256(rootfs), inspect); // the layer's DiffID: the uncompressed tar's digest
        AssertNoScratchLeft();
    }

    [RootFact]
    public void Import_StdinWithoutName_MakesAnUntaggedImageAndPrintsItsId()
    {
        string tar = _temp.Combine("rootfs.tar");
        File.WriteAllBytes(tar, LayerTar.Files(("etc/hostname", "untagged\n")));

        MiniRunCli.Result import = _cli.RunWithInputFile(tar, "import", "-");

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Equal(import.Stdout["sha256:".Length..][..12], _cli.RunOk("images", "-q").Stdout.Trim());
        Assert.Contains("<none>", _cli.RunOk("images").Stdout);
    }

    [RootFact]
    public void Import_Directory_SaysItIsADirectoryAndHowToTarIt()
    {
        string dir = _temp.Combine("rootfs");
        Directory.CreateDirectory(dir);

        MiniRunCli.Result import = _cli.Run("import", dir, "dir:1");

        Assert.Equal(1, import.ExitCode);
        Assert.Equal($"minirun: root filesystem tarball \"{dir}\" is a directory; import takes a tar file or - for stdin: `tar -C {dir} -c . | minirun import - NAME[:TAG]`\n",
            import.Stderr);
    }

    [RootFact]
    public void Import_RandomBytesOnStdin_SaysNotATarArchiveAndLeavesNothing()
    {
        MiniRunCli.Result import = _cli.RunWithInputFile(RandomFile(), "import", "-", "random:1");

        Assert.Equal(1, import.ExitCode);
        Assert.Matches("^minirun: root filesystem tarball \"stdin\": not a tar archive \\(it does not start with a tar header\\)[^\n]*\n$", import.Stderr);
        Assert.Equal("", _cli.RunOk("images", "-q").Stdout);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_cli.StoreRoot, "layers")));
    }

    [RootFact]
    public void Import_RandomFile_SaysNotATarArchive()
    {
        string file = RandomFile();

        MiniRunCli.Result import = _cli.Run("import", file, "random:1");

        Assert.Equal(1, import.ExitCode);
        Assert.StartsWith($"minirun: root filesystem tarball \"{file}\": not a tar archive", import.Stderr);
        Assert.Single(import.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static ImageArchiveBuilder Image() =>
        new ImageArchiveBuilder().AddLayer(LayerTar.Files(("etc/hostname", "stdin\n"))).AddLayer(LayerTar.Files(("srv/marker", "two\n"))).WithName(Name);

    private string RandomFile()
    {
        string file = _temp.Combine("random.bin");
        var bytes = new byte[64 * 1024];
        new Random(18).NextBytes(bytes);
        bytes[0] = 0x42; // not a compression magic number by chance
        File.WriteAllBytes(file, bytes);
        return file;
    }

    private static string Gzip(string file)
    {
        string compressed = file + ".gz";
        using FileStream input = File.OpenRead(file);
        using FileStream output = File.Create(compressed);
        using var gzip = new GZipStream(output, CompressionLevel.Fastest);
        input.CopyTo(gzip);
        return compressed;
    }

    private void AssertNoScratchLeft()
    {
        string tmp = Path.Combine(_cli.StoreRoot, "tmp");
        Assert.True(!Directory.Exists(tmp) || !Directory.EnumerateFileSystemEntries(tmp).Any(), "the spooled archive was left in tmp/");
    }
}
