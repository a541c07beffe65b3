using System.Text.Json;
using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;

namespace MiniRun.Tests.Containers;

/// <summary>The overlay stack as a user sees it: deep images run, and a shared base layer is one directory under both.</summary>
public class LayerStackTests
{
    [RootFact]
    public void Run_ImageOf128Layers_RunsWithEveryLayerVisible()
    {
        using var scratch = new TempDirectory("minirun-deep");
        var cli = new MiniRunCli(scratch.Combine("store"));
        var builder = new ImageArchiveBuilder().AddLayer(BusyboxRootfs.LayerTarBytes()).WithName("deep:latest");
        for (int i = 1; i < 128; i++) builder.AddLayer(LayerTar.Files(($"layers/{i:D3}", $"{i}\n"), ("top", $"{i}\n")));
        string archive = scratch.Combine("deep.tar");
        builder.Write(ArchiveFormat.DockerSave, archive);
        Assert.Equal(0, cli.Run("load", "-i", archive).ExitCode);

        var result = cli.Run("run", "--rm", "deep", "sh", "-c", "ls /layers | wc -l; cat /top");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("127\n127\n", result.Stdout); // every layer present, and the last one wins
    }

    [RootFact]
    public void Run_TwoImagesWithTheSameBase_ShareOneBaseLayerDirectory()
    {
        using var scratch = new TempDirectory("minirun-share");
        var cli = new MiniRunCli(scratch.Combine("store"));
        foreach (string name in new[] { "one", "two" })
        {
            var builder = new ImageArchiveBuilder { Compression = name == "one" ? LayerCompression.Gzip : LayerCompression.Zstd }
                .AddLayer(BusyboxRootfs.LayerTarBytes()).AddLayer(LayerTar.Files(("app", name + "\n"))).WithName(name + ":latest");
            string archive = scratch.Combine(name + ".tar");
            builder.Write(name == "one" ? ArchiveFormat.OciArchive : ArchiveFormat.DockerSave, archive);
            Assert.Equal(0, cli.Run("load", "-i", archive).ExitCode);
        }

        Assert.Equal(3, Directory.GetDirectories(Path.Combine(cli.StoreRoot, "layers")).Length);
        var lowers = new List<string[]>();
        foreach (string name in new[] { "one", "two" })
        {
            Assert.Equal(name + "\n", cli.Run("run", "--name", "c-" + name, name, "cat", "/app").Stdout);
            using JsonDocument inspect = JsonDocument.Parse(cli.Run("inspect", "c-" + name).Stdout);
            lowers.Add(inspect.RootElement[0].GetProperty("GraphDriver").GetProperty("Data").GetProperty("LowerDir").GetString()!.Split(':'));
            Assert.Equal(0, cli.Run("rm", "c-" + name).ExitCode);
        }
        Assert.Equal(lowers[0][^1], lowers[1][^1]); // the same base directory under both containers
        Assert.NotEqual(lowers[0][^2], lowers[1][^2]);
    }
}
