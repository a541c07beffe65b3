using System.IO.Compression;
using MiniRun.Fixtures.Tar;
using MiniRun.Layers;
using MiniRun.Native;
using MiniRun.Store;

namespace MiniRun.Tests.Layers;

public class LayerStoreTests
{
    private static readonly byte[] BaseLayer = new TarBuilder()
        .Directory("bin").File("bin/busybox", "ELF", mode: "0755").Symlink("bin/sh", "/bin/busybox")
        .Directory("etc").File("etc/hostname", "minibox\n").ToArray();

    private static LayerStore NewStore(TempDirectory temp) => new(new StorePaths(temp.Combine("store")));

    private static void AssertStoreEmpty(LayerStore store)
    {
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Layers));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Links));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Temp));
    }

    [RootFact]
    public void Add_NewLayer_PublishesDiffLinkAndSizeLikeOverlay2()
    {
        using var temp = new TempDirectory();
        LayerStore store = NewStore(temp);

        Layer layer = store.Add(new MemoryStream(BaseLayer), null, "base.tar");

        Assert.Equal(Digest.Of(BaseLayer), layer.DiffId);
        Assert.Equal(Path.Combine(store.Paths.Layers, layer.DiffId.Hex), layer.Directory);
        Assert.Matches("^l/[A-Z0-9]{26}$", layer.ShortLink);
        Assert.Equal(3 + 12 + 8, layer.Size); // overlay2 counts the symlink too: its size is its target's length
        Assert.Equal(layer.ShortLink[2..], File.ReadAllText(Path.Combine(layer.Directory, "link")));
        Assert.Equal("23", File.ReadAllText(Path.Combine(layer.Directory, "size")));
        string link = Path.Combine(store.Paths.Root, layer.ShortLink);
        Assert.Equal($"../layers/{layer.DiffId.Hex}/diff", new FileInfo(link).LinkTarget);
        Assert.Equal("minibox\n", File.ReadAllText(Path.Combine(link, "etc/hostname")));
        Assert.Equal(layer, store.Get(layer.DiffId));
        Assert.Equal([layer], store.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Temp));
    }

    [RootFact]
    public void Add_SameLayerTwice_KeepsOneCopy()
    {
        using var temp = new TempDirectory();
        LayerStore store = NewStore(temp);

        Layer first = store.Add(new MemoryStream(BaseLayer), null, "image-a");
        Layer again = store.Add(new MemoryStream(BaseLayer), first.DiffId, "image-b");
        Layer unverified = store.Add(new MemoryStream(BaseLayer), null, "image-c");

        Assert.Equal(first, again);
        Assert.Equal(first, unverified);
        Assert.Single(Directory.EnumerateDirectories(store.Paths.Layers));
        Assert.Single(Directory.EnumerateFileSystemEntries(store.Paths.Links));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Temp));
    }

    [RootFact]
    public void Add_ExistingLayer_ReadsTheWholeStream()
    {
        using var temp = new TempDirectory();
        LayerStore store = NewStore(temp);
        Layer first = store.Add(new MemoryStream(BaseLayer), null, "image-a");
        var input = new MemoryStream(BaseLayer);

        store.Add(input, first.DiffId, "image-b");

        Assert.Equal(BaseLayer.Length, input.Position);
    }

    [RootFact]
    public void Add_ConcurrentSameLayer_PublishesOneCopy()
    {
        using var temp = new TempDirectory();
        LayerStore store = NewStore(temp);

        Layer[] layers = Enumerable.Range(0, 6).AsParallel().Select(i => store.Add(new MemoryStream(BaseLayer), null, $"racer-{i}")).ToArray();

        Assert.Single(layers.Distinct());
        Assert.Single(Directory.EnumerateDirectories(store.Paths.Layers));
        Assert.Single(Directory.EnumerateFileSystemEntries(store.Paths.Links));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Temp));
    }

    [RootFact]
    public void Add_DiffIdMismatch_ThrowsAndLeavesNothing()
    {
        using var temp = new TempDirectory();
        LayerStore store = NewStore(temp);
        Digest wrong = Digest.Of("something else"u8);

        var e = Assert.Throws<InvalidInputException>(() => store.Add(new MemoryStream(BaseLayer), wrong, "image.tar layer 1"));

        Assert.Equal($"image.tar layer 1: layer content has DiffID {Digest.Of(BaseLayer)}, but {wrong} was expected", e.Message);
        AssertStoreEmpty(store);
    }

    [RootFact]
    public void Add_ExistingDiffIdWithOtherContent_Throws()
    {
        using var temp = new TempDirectory();
        LayerStore store = NewStore(temp);
        Layer layer = store.Add(new MemoryStream(BaseLayer), null, "good");
        byte[] impostor = new TarBuilder().File("evil", "x").ToArray();

        var e = Assert.Throws<InvalidInputException>(() => store.Add(new MemoryStream(impostor), layer.DiffId, "impostor"));

        Assert.Contains("impostor", e.Message);
        Assert.Equal([layer], store.List());
    }

    [RootFact]
    public void Add_TruncatedLayer_ThrowsAndLeavesNothing()
    {
        using var temp = new TempDirectory();
        LayerStore store = NewStore(temp);
        byte[] truncated = new TarBuilder { PadToRecord = false }.File("big", new byte[100_000]).ToArray()[..50_000];

        var e = Assert.Throws<InvalidInputException>(() => store.Add(new MemoryStream(truncated), null, "cut.tar"));

        Assert.Equal("cut.tar: tar archive is truncated after or in entry \"big\"", e.Message);
        AssertStoreEmpty(store);
    }

    [RootFact]
    public void Add_GzipLayerThroughDecompress_HashesTheUncompressedTar()
    {
        using var temp = new TempDirectory();
        LayerStore store = NewStore(temp);
        var gz = new MemoryStream();
        using (var gzip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(BaseLayer);
        gz.Position = 0;

        using Stream tar = Compression.Decompress(gz, out CompressionKind kind);
        Layer layer = store.Add(tar, Digest.Of(BaseLayer), "base.tar.gz");

        Assert.Equal((CompressionKind.Gzip, Digest.Of(BaseLayer)), (kind, layer.DiffId));
    }

    [RootFact]
    public void Remove_LayerWithWhiteoutsFifosAndOutwardSymlinks_DeletesOnlyTheLayer()
    {
        using var temp = new TempDirectory();
        LayerStore store = NewStore(temp);
        string sentinel = temp.Combine("sentinel");
        Directory.CreateDirectory(sentinel);
        File.WriteAllText(Path.Combine(sentinel, "keep"), "keep");
        byte[] tar = new TarBuilder()
            .Directory("locked", mode: "0000").File("locked/f", "x", mode: "0000")
            .Whiteout("etc/motd").Opaque("var").Fifo("run/fifo").CharDevice("dev/null", 1, 3)
            .Symlink("outside", sentinel).Symlink("outside-file", Path.Combine(sentinel, "keep"))
            .ToArray();
        Layer layer = store.Add(new MemoryStream(tar), null, "odd.tar");
        Layer other = store.Add(new MemoryStream(BaseLayer), null, "base.tar");

        store.Remove(layer.DiffId);

        Assert.Null(store.TryGet(layer.DiffId));
        Assert.Equal([other], store.List());
        Assert.Single(Directory.EnumerateFileSystemEntries(store.Paths.Links));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Temp));
        Assert.Equal("keep", File.ReadAllText(Path.Combine(sentinel, "keep")));
    }

    [Fact]
    public void Get_UnknownLayer_ThrowsNotFound()
    {
        using var temp = new TempDirectory();
        LayerStore store = NewStore(temp);
        Digest unknown = Digest.Of("nothing"u8);

        Assert.Null(store.TryGet(unknown));
        var e = Assert.Throws<NotFoundException>(() => store.Get(unknown));
        Assert.Contains(unknown.ToString(), e.Message);
        Assert.Empty(store.List());
    }
}
