using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;

namespace MiniRun.Tests.HostReads;

/// <summary>
/// `save -o` and `export -o` write beside the destination and rename over it, so that a failure leaves no half file.
/// A destination that is a device or a fifo is not a file to replace: a test's `export -o /dev/null` once replaced the
/// host's /dev/null with a regular file. These write into such a destination instead.
/// </summary>
public sealed class OutputDeviceTests : IDisposable
{
    private readonly TempDirectory _temp = new("minirun-output");
    private readonly MiniRunCli _cli;

    public OutputDeviceTests() => _cli = new MiniRunCli(_temp.Combine("store"));

    public void Dispose() => _temp.Dispose();

    [RootFact]
    public void Save_ToACharacterDevice_WritesIntoItAndLeavesTheNodeInPlace()
    {
        string image = _temp.Combine("image.tar");
        new ImageArchiveBuilder().AddLayer(LayerTar.Files(("etc/hostname", "out\n"))).WithName("output-test:1").Write(ArchiveFormat.DockerSave, image);
        Assert.Equal(0, _cli.Run("load", "-i", image).ExitCode);
        string nullDevice = _temp.Combine("null"); // a /dev/null of the test's own, so the host's is never at stake
        ExternalCommand.Check("mknod", "-m", "666", nullDevice, "c", "1", "3");

        MiniRunCli.Result save = _cli.Run("save", "output-test:1", "-o", nullDevice);

        Assert.True(save.ExitCode == 0, save.ToString());
        Assert.Equal("character special file", ExternalCommand.Run("stat", ["-c", "%F", nullDevice], TimeSpan.FromSeconds(10)).Stdout.Trim());
        Assert.Empty(Directory.EnumerateFiles(_temp.Path, ".null.tmp-*"));
    }

    [RootFact]
    public void Save_ToAFifo_StreamsIntoIt()
    {
        string image = _temp.Combine("image.tar");
        new ImageArchiveBuilder().AddLayer(LayerTar.Files(("etc/hostname", "out\n"))).WithName("output-test:1").Write(ArchiveFormat.DockerSave, image);
        Assert.Equal(0, _cli.Run("load", "-i", image).ExitCode);
        string fifo = _temp.Combine("fifo"), copy = _temp.Combine("copy.tar");
        ExternalCommand.Check("mkfifo", fifo);
        var reader = System.Diagnostics.Process.Start("sh", ["-c", $"cat {fifo} > {copy}"]);

        MiniRunCli.Result save;
        try
        {
            save = _cli.Run("save", "output-test:1", "-o", fifo);
            Assert.True(reader.WaitForExit(30_000), "the fifo's reader got no end of file");
        }
        finally
        {
            if (!reader.HasExited) reader.Kill();
        }

        Assert.True(save.ExitCode == 0, save.ToString());
        Assert.Equal("fifo", ExternalCommand.Run("stat", ["-c", "%F", fifo], TimeSpan.FromSeconds(10)).Stdout.Trim());
        Assert.True(new FileInfo(copy).Length > 1024);
    }
}
