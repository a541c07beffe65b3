using System.Diagnostics;
using MiniRun.Fixtures.Images;
using MiniRun.Images;

namespace MiniRun.Tests.Images;

public sealed class RootfsImportTests
{
    private static readonly byte[] Rootfs = LayerTar.Files(("etc/os-release", "ID=alpine-like\n"), ("bin/busybox", "not really\n"));

    public static TheoryData<string> Compressions() => ["none", "gzip", "xz", "zstd"];

    [RootTheory]
    [MemberData(nameof(Compressions))]
    public void Import_RootfsTarball_MakesOneLayerImage(string compression)
    {
        using var store = new TestImageStore();
        string path = store.Input("rootfs.tar");
        File.WriteAllBytes(path, Rootfs);
        if (compression != "none") path = CompressWithTool(compression, path);

        ImageRecord image = store.Loader.Import(path, "alpine");

        Assert.Equal(["docker.io/library/alpine:latest"], image.Names);
        Assert.Equal([ImageArchiveBuilder.Sha256(Rootfs)], image.DiffIds.Select(d => d.ToString()));
        Assert.Equal("linux", image.Config.Os);
        Assert.Equal(Platforms.Architecture, image.Config.Architecture);
        Assert.NotNull(image.Config.Created);
        Assert.Single(image.Config.History!);
        Assert.Equal("ID=alpine-like\n", File.ReadAllText(store.LayerFile(image.DiffIds[0].ToString(), "etc/os-release")));
        Assert.Equal(image.Id, store.Images.Resolve("alpine:latest").Id);
    }

    [RootFact]
    public void Import_CorruptGzip_IsRefusedAndStoresNothing()
    {
        using var store = new TestImageStore();
        string path = store.Input("rootfs.tar");
        File.WriteAllBytes(path, Rootfs);
        byte[] gz = File.ReadAllBytes(CompressWithTool("gzip", path));
        File.WriteAllBytes(path + ".bad.gz", gz[..(gz.Length / 2)]);
        var e = Assert.Throws<InvalidInputException>(() => store.Loader.Import(path + ".bad.gz", "alpine"));
        Assert.DoesNotContain('\n', e.Message);
        store.AssertNothingStoredBeyond([]);
    }

    [RootFact]
    public void Import_InvalidName_IsRefusedBeforeReading()
    {
        using var store = new TestImageStore();
        Assert.Throws<InvalidInputException>(() => store.Loader.Import("/nonexistent.tar", "Bad Name"));
        Assert.Throws<NotFoundException>(() => store.Loader.Import(store.Input("absent.tar"), "ok"));
    }

    private static string CompressWithTool(string tool, string path)
    {
        string extension = tool switch { "gzip" => ".gz", "xz" => ".xz", _ => ".zst" };
        string output = path + extension;
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { "-c", path }) psi.ArgumentList.Add(arg);
        using Process process = Process.Start(psi)!;
        using (FileStream file = File.Create(output)) process.StandardOutput.BaseStream.CopyTo(file);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
