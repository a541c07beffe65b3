using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;
using MiniRun.Fixtures.Registry;
using MiniRun.Tests.Layers;

namespace MiniRun.Tests.Registry;

/// <summary>`minirun pull` and `run`'s implicit pull against a real registry on 127.0.0.1, images pushed with skopeo.</summary>
public sealed class PullTests : IDisposable
{
    private readonly TempDirectory _scratch = new("minirun-pull");
    private readonly LocalRegistry? _registry;
    private readonly MiniRunCli _cli;

    public PullTests()
    {
        _cli = new MiniRunCli(_scratch.Combine("store"));
        if (MiniRun.Native.Syscalls.IsRoot && LocalRegistry.IsAvailable) _registry = new LocalRegistry();
    }

    private LocalRegistry Registry => _registry!;

    public void Dispose()
    {
        if (MiniRun.Native.Syscalls.IsRoot)
            foreach (string id in _cli.Run("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                _cli.Run("rm", "-f", id);
        _registry?.Dispose();
        _scratch.Dispose();
    }

    private static ImageArchiveBuilder SmallImage(string marker) =>
        new ImageArchiveBuilder { Compression = LayerCompression.Gzip }
            .AddLayer(LayerTar.Files(("etc/os-release", "ID=pulltest\n"), ("bin/tool", "tool\n")))
            .AddLayer(LayerTar.Whiteout("bin/tool"))
            .AddLayer(LayerTar.Files(("srv/marker", marker + "\n")));

    private string PushLayout(ImageArchiveBuilder image, string repositoryAndTag)
    {
        string layout = _scratch.Combine("layout-" + Guid.NewGuid().ToString("N"));
        image.Write(ArchiveFormat.OciLayout, layout);
        Registry.Push(layout, repositoryAndTag);
        return layout;
    }

    private string[] LayerDirs() => Directory.GetDirectories(_scratch.Combine("store", "layers"));

    [RegistryFact]
    public void Pull_ByTag_StoresTheImageUnderItsName()
    {
        ImageArchiveBuilder image = SmallImage("by-tag");
        PushLayout(image, "test/app:1");

        MiniRunCli.Result pull = _cli.Run("pull", $"{Registry.Host}/test/app:1");

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains($"Digest: {Registry.DigestOf("test/app:1")}", pull.Stdout);
        Assert.EndsWith($"{Registry.Host}/test/app:1\n", pull.Stdout);
        string inspect = _cli.Run("inspect", $"{Registry.Host}/test/app:1").Stdout;
        Assert.Contains(image.ImageId, inspect);
        Assert.Equal(3, LayerDirs().Length);
    }

    [RegistryFact]
    public void Pull_ByDigest_StoresTheImageFindableByThatDigest()
    {
        ImageArchiveBuilder image = SmallImage("by-digest");
        PushLayout(image, "test/app:2");
        string digest = Registry.DigestOf("test/app:2");

        MiniRunCli.Result pull = _cli.Run("pull", $"{Registry.Host}/test/app@{digest}");

        Assert.True(pull.ExitCode == 0, pull.ToString());
        MiniRunCli.Result inspect = _cli.Run("inspect", $"{Registry.Host}/test/app@{digest}");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains(image.ImageId, inspect.Stdout);
        Assert.Contains($"{Registry.Host}/test/app@{digest}", inspect.Stdout);
    }

    [RegistryFact]
    public void Run_ImageNotInStore_PullsItAndRuns()
    {
        var image = new ImageArchiveBuilder { Compression = LayerCompression.Gzip }
            .AddLayer(BusyboxRootfs.LayerTarBytes())
            .AddLayer(LayerTar.Files(("srv/marker", "pulled-and-run\n")));
        PushLayout(image, "test/busybox:1");

        MiniRunCli.Result run = _cli.Run("run", "--rm", $"{Registry.Host}/test/busybox:1", "cat", "/srv/marker");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("pulled-and-run\n", run.Stdout);
        Assert.Contains($"Unable to find image '{Registry.Host}/test/busybox:1' locally", run.Stderr);
        Assert.Contains("Pull complete", run.Stderr);
        // In the store now: a second run does not pull, and --pull never finds it.
        MiniRunCli.Result again = _cli.Run("run", "--rm", "--pull", "never", $"{Registry.Host}/test/busybox:1", "cat", "/srv/marker");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("Pull", again.Stderr);
    }

    [RegistryFact]
    public void Run_PullNeverAndImageMissing_FailsWithoutAskingTheRegistry()
    {
        MiniRunCli.Result run = _cli.Run("run", "--rm", "--pull", "never", $"{Registry.Host}/test/absent:1", "true");

        Assert.Equal(125, run.ExitCode);
        Assert.Contains("No such image", run.Stderr);
        Assert.DoesNotContain("/test/absent", Registry.Log);
    }

    [RegistryFact]
    public void Pull_MultiPlatformIndex_ChoosesThisMachinesArchitecture()
    {
        string other = ImageArchiveBuilder.MachineArchitecture == "arm64" ? "amd64" : "arm64";
        ImageArchiveBuilder foreign = SmallImage("foreign");
        foreign.Architecture = other;
        ImageArchiveBuilder native = SmallImage("native");
        string layout = _scratch.Combine("multi");
        // The foreign image first, so that taking the first entry would be wrong.
        string indexDigest = MultiPlatformLayout.Write(layout, _scratch.Path, foreign, native);
        Registry.Push(layout, "test/multi:1", all: true);

        MiniRunCli.Result pull = _cli.Run("pull", $"{Registry.Host}/test/multi:1");
        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains($"Digest: {indexDigest}", pull.Stdout);
        Assert.Contains(native.ImageId, _cli.Run("inspect", $"{Registry.Host}/test/multi:1").Stdout);

        MiniRunCli.Result chosen = _cli.Run("pull", "--platform", $"linux/{other}", $"{Registry.Host}/test/multi:1");
        Assert.True(chosen.ExitCode == 0, chosen.ToString());
        Assert.Contains(foreign.ImageId, _cli.Run("inspect", $"{Registry.Host}/test/multi:1").Stdout);

        MiniRunCli.Result none = _cli.Run("pull", "--platform", "linux/s390x", $"{Registry.Host}/test/multi:1");
        Assert.Equal(1, none.ExitCode); // docker pull: 1
        Assert.Contains($"registry {Registry.Host}", none.Stderr);
        Assert.Contains("no image for linux/s390x", none.Stderr);
        Assert.DoesNotContain("unknown", none.Stderr); // the attestation is not offered as a platform
    }

    [RegistryFact]
    public void Pull_FileTree_EqualsTheSameImageLoadedFromATar()
    {
        var image = new ImageArchiveBuilder { Compression = LayerCompression.Zstd }
            .AddLayer(BusyboxRootfs.LayerTarBytes())
            .AddLayer(LayerTar.Whiteout("linuxrc"))
            .AddLayer(LayerTar.Files(("srv/marker", "tree\n")))
            .WithName("tree:1");
        PushLayout(image, "test/tree:1");
        string archive = _scratch.Combine("tree.tar");
        image.Write(ArchiveFormat.DockerSave, archive);
        var loaded = new MiniRunCli(_scratch.Combine("loaded-store"));

        Assert.Equal(0, _cli.Run("pull", "-q", $"{Registry.Host}/test/tree:1").ExitCode);
        MiniRunCli.Result load = loaded.Run("load", "-i", archive);
        Assert.True(load.ExitCode == 0, load.ToString());

        for (int i = 0; i < image.DiffIds.Count; i++)
        {
            string hex = image.DiffIds[i]["sha256:".Length..];
            // A whiteout device is made at unpack time (the tar's time is not kept for it): layer 1's times differ by nature.
            bool withTimes = i != 1;
            Assert.Equal(TreeSnapshot.Find(Path.Combine(loaded.StoreRoot, "layers", hex, "diff"), withTimes),
                TreeSnapshot.Find(Path.Combine(_cli.StoreRoot, "layers", hex, "diff"), withTimes));
        }
        Assert.Equal(File.ReadAllText(Path.Combine(loaded.StoreRoot, "images", image.ImageId[7..], "config.json")),
            File.ReadAllText(Path.Combine(_cli.StoreRoot, "images", image.ImageId[7..], "config.json")));
    }

    [RegistryFact]
    public void Pull_SecondImageSharingTheBaseLayer_DownloadsOnlyItsNewLayers()
    {
        byte[] baseLayer = LayerTar.Files(("etc/os-release", "ID=shared-base\n"));
        var first = new ImageArchiveBuilder { Compression = LayerCompression.Gzip }.AddLayer(baseLayer).AddLayer(LayerTar.Files(("a", "first\n")));
        var second = new ImageArchiveBuilder { Compression = LayerCompression.Gzip }.AddLayer(baseLayer).AddLayer(LayerTar.Files(("b", "second\n")));
        PushLayout(first, "test/first:1");
        PushLayout(second, "test/second:1");
        string baseBlob = ImageArchiveBuilder.Sha256(ImageArchiveBuilder.Compress(baseLayer, LayerCompression.Gzip));
        string secondTopBlob = ImageArchiveBuilder.Sha256(ImageArchiveBuilder.Compress(LayerTar.Files(("b", "second\n")), LayerCompression.Gzip));

        Assert.Equal(0, _cli.Run("pull", $"{Registry.Host}/test/first:1").ExitCode);
        Assert.Equal(1, Registry.BlobGets(baseBlob));
        MiniRunCli.Result pull = _cli.Run("pull", $"{Registry.Host}/test/second:1");

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains($"{baseBlob[7..19]}: Already exists", pull.Stdout);
        Assert.Equal(1, Registry.BlobGets(baseBlob));
        Assert.Equal(1, Registry.BlobGets(secondTopBlob));
        Assert.Equal(3, LayerDirs().Length);
    }

    [RegistryFact]
    public void Pull_TamperedBlob_IsRejectedAndNothingIsStored()
    {
        ImageArchiveBuilder image = SmallImage("tampered");
        PushLayout(image, "test/tampered:1");
        byte[] topLayer = ImageArchiveBuilder.Compress(LayerTar.Files(("srv/marker", "tampered\n")), LayerCompression.Gzip);
        string blob = ImageArchiveBuilder.Sha256(topLayer);
        string data = Registry.BlobDataPath(blob);
        byte[] bytes = File.ReadAllBytes(data);
        bytes[^5] ^= 0xFF; // inside the gzip trailer's CRC/size: same length, different digest
        File.WriteAllBytes(data, bytes);

        MiniRunCli.Result pull = _cli.Run("pull", $"{Registry.Host}/test/tampered:1");

        Assert.Equal(1, pull.ExitCode);
        string error = Assert.Single(pull.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"registry {Registry.Host}", error);
        Assert.Contains(blob[7..], error);
        Assert.Equal("", _cli.Run("images", "-q").Stdout);
        Assert.Empty(LayerDirs());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch.Combine("store", "tmp")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch.Combine("store", "l")));
    }

    [RegistryFact]
    public void Pull_UnknownRepository_FailsWithinFifteenSecondsNamingTheRegistry()
    {
        var clock = Stopwatch.StartNew();
        MiniRunCli.Result pull = _cli.Run("pull", $"{Registry.Host}/test/no-such-repo:1");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Equal(1, pull.ExitCode);
        string error = Assert.Single(pull.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"minirun: registry {Registry.Host}: manifest test/no-such-repo:1: not found", error);
    }

    [RegistryFact]
    public void Pull_RegistryDown_FailsWithinFifteenSecondsNamingTheRegistry()
    {
        int port = LocalRegistry.FreePort(); // nothing listens there: connection refused
        var clock = Stopwatch.StartNew();
        MiniRunCli.Result pull = _cli.Run("pull", $"127.0.0.1:{port}/test/app:1");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Equal(1, pull.ExitCode);
        string error = Assert.Single(pull.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"registry 127.0.0.1:{port}", error);
        Assert.Contains("Connection refused", error);
    }

    [RegistryFact]
    public void Pull_RegistryThatNeverAnswers_FailsWithinFifteenSeconds()
    {
        // Accepts connections and never says a word: only the client's deadlines end this.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(100);
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var clock = Stopwatch.StartNew();
        MiniRunCli.Result pull = _cli.Run("pull", $"127.0.0.1:{port}/test/app:1");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains($"registry 127.0.0.1:{port}", pull.Stderr);
        Assert.Contains("no answer", pull.Stderr);
    }
}
