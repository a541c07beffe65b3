using MiniRun.Fixtures.Images;
using MiniRun.Images;

namespace MiniRun.Tests.Images;

public sealed class ImageLoaderTests
{
    private const string Name = "minirun-test:latest";
    private const string FullName = "docker.io/library/minirun-test:latest";

    private static byte[] BaseLayer => LayerTar.Files(("etc/os-release", "ID=fixture\n"), ("bin/hello", "#!/bin/sh\necho hello\n"));
    private static byte[] TopLayer => LayerTar.Files(("app/main.txt", "main\n"));

    private static ImageArchiveBuilder TwoLayerImage(LayerCompression compression = LayerCompression.None) =>
        new ImageArchiveBuilder { Compression = compression }.AddLayer(BaseLayer).AddLayer(TopLayer).WithName(Name);

    private static string Write(TestImageStore store, ImageArchiveBuilder builder, ArchiveFormat format, string file = "image")
    {
        string path = store.Input(file + (format == ArchiveFormat.OciLayout ? "" : ".tar"));
        builder.Write(format, path);
        return path;
    }

    public static TheoryData<ArchiveFormat, LayerCompression> FormatsAndCompressions()
    {
        var data = new TheoryData<ArchiveFormat, LayerCompression>();
        foreach (ArchiveFormat format in Enum.GetValues<ArchiveFormat>())
            foreach (LayerCompression compression in Enum.GetValues<LayerCompression>())
                data.Add(format, compression);
        return data;
    }

    [RootTheory]
    [MemberData(nameof(FormatsAndCompressions))]
    public void Load_EachFormatAndCompression_StoresImageLayersAndName(ArchiveFormat format, LayerCompression compression)
    {
        using var store = new TestImageStore();
        ImageArchiveBuilder builder = TwoLayerImage(compression);

        ImageRecord image = Assert.Single(store.Loader.Load(Write(store, builder, format)));

        Assert.Equal(builder.ImageId, image.Id.ToString());
        Assert.Equal(builder.DiffIds, image.DiffIds.Select(d => d.ToString()));
        Assert.Equal([FullName], image.Names);
        Assert.Equal(["/bin/sh"], image.Config.Config!.Cmd!);
        Assert.Equal("ID=fixture\n", File.ReadAllText(store.LayerFile(builder.DiffIds[0], "etc/os-release")));
        Assert.Equal("main\n", File.ReadAllText(store.LayerFile(builder.DiffIds[1], "app/main.txt")));
        Assert.Equal(image.Id, store.Images.Resolve(Name).Id);
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Temp));
    }

    [RootFact]
    public void Load_WhiteoutLayer_BecomesOverlayWhiteout()
    {
        using var store = new TestImageStore();
        ImageArchiveBuilder builder = new ImageArchiveBuilder().AddLayer(BaseLayer).AddLayer(LayerTar.Whiteout("bin/hello")).WithName(Name);
        store.Loader.Load(Write(store, builder, ArchiveFormat.OciArchive));
        Assert.True(MiniRun.Native.Syscalls.LStat(store.LayerFile(builder.DiffIds[1], "bin/hello")).IsWhiteout);
    }

    [RootFact]
    public void Load_NestedMultiPlatformIndex_PicksThisMachine()
    {
        using var store = new TestImageStore();
        ImageArchiveBuilder builder = TwoLayerImage(LayerCompression.Gzip);
        builder.NestedIndex = true;
        ImageRecord image = Assert.Single(store.Loader.Load(Write(store, builder, ArchiveFormat.OciLayout)));
        Assert.Equal(builder.ImageId, image.Id.ToString());
        Assert.Single(image.RepoDigests);
    }

    [RootTheory]
    [InlineData(OciNameStyle.ContainerdAnnotation)]
    [InlineData(OciNameStyle.FullRefName)]
    public void Load_OciNameAnnotation_NamesTheImage(OciNameStyle style)
    {
        using var store = new TestImageStore();
        ImageArchiveBuilder builder = new ImageArchiveBuilder { OciNames = style }.AddLayer(BaseLayer).WithName("example.org:5000/team/app:1.0");
        ImageRecord image = Assert.Single(store.Loader.Load(Write(store, builder, ArchiveFormat.OciLayout)));
        Assert.Equal(["example.org:5000/team/app:1.0"], image.Names);
    }

    [RootFact]
    public void Load_BareTagRefName_NamesNothingSoTagIsRequired()
    {
        using var store = new TestImageStore();
        ImageArchiveBuilder builder = new ImageArchiveBuilder { OciNames = OciNameStyle.BareTagRefName }.AddLayer(BaseLayer).WithName(Name);
        string path = Write(store, builder, ArchiveFormat.OciLayout);
        var e = Assert.Throws<InvalidInputException>(() => store.Loader.Load(path));
        Assert.Contains("names no image: give --tag NAME:TAG", e.Message);
        store.AssertNothingStoredBeyond([]);

        ImageRecord image = Assert.Single(store.Loader.Load(path, "mine:v2"));
        Assert.Equal(["docker.io/library/mine:v2"], image.Names);
    }

    [RootTheory]
    [InlineData(ArchiveFormat.DockerSaveLegacy)]
    [InlineData(ArchiveFormat.DockerSave)]
    [InlineData(ArchiveFormat.OciArchive)]
    public void Load_NoNamesAndNoTag_IsRefusedAndStoresNothing(ArchiveFormat format)
    {
        using var store = new TestImageStore();
        ImageArchiveBuilder builder = new ImageArchiveBuilder().AddLayer(BaseLayer);
        var e = Assert.Throws<InvalidInputException>(() => store.Loader.Load(Write(store, builder, format)));
        Assert.EndsWith("names no image: give --tag NAME:TAG", e.Message);
        store.AssertNothingStoredBeyond([]);
    }

    [RootFact]
    public void Load_WithTag_OverridesRepoTags()
    {
        using var store = new TestImageStore();
        ImageRecord image = Assert.Single(store.Loader.Load(Write(store, TwoLayerImage(), ArchiveFormat.DockerSave), "other/name:7"));
        Assert.Equal(["docker.io/other/name:7"], image.Names);
        Assert.Null(store.Images.TryResolve(Name));
    }

    [RootTheory]
    [InlineData(ArchiveFormat.DockerSave, LayerCompression.Gzip)]
    [InlineData(ArchiveFormat.OciLayout, LayerCompression.Gzip)]
    [InlineData(ArchiveFormat.OciArchive, LayerCompression.Zstd)]
    [InlineData(ArchiveFormat.OciArchive, LayerCompression.None)]
    [InlineData(ArchiveFormat.DockerSaveLegacy, LayerCompression.None)]
    public void Load_TamperedLayerBlob_IsRefusedAndStoresNothing(ArchiveFormat format, LayerCompression compression)
    {
        using var store = new TestImageStore();
        ImageArchiveBuilder builder = TwoLayerImage(compression);
        builder.TamperBlobOfLayer = 1;
        var e = Assert.Throws<InvalidInputException>(() => store.Loader.Load(Write(store, builder, format)));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Matches("has (digest|DiffID) sha256:[0-9a-f]{64}.*sha256:[0-9a-f]{64}", e.Message);
        store.AssertNothingStoredBeyond([]);
    }

    [RootFact]
    public void Load_TamperedGzipBlob_NamesTheBlobAndBothDigests()
    {
        using var store = new TestImageStore();
        ImageArchiveBuilder builder = TwoLayerImage(LayerCompression.Gzip);
        builder.TamperBlobOfLayer = 0;
        var e = Assert.Throws<InvalidInputException>(() => store.Loader.Load(Write(store, builder, ArchiveFormat.OciArchive)));
        Assert.Matches(@"archive "".*image\.tar"": blob blobs/sha256/[0-9a-f]{64} has digest sha256:[0-9a-f]{64}, expected sha256:[0-9a-f]{64}$", e.Message);
        store.AssertNothingStoredBeyond([]);
    }

    [RootTheory]
    [InlineData(ArchiveFormat.DockerSaveLegacy)]
    [InlineData(ArchiveFormat.DockerSave)]
    [InlineData(ArchiveFormat.OciLayout)]
    public void Load_WrongDiffId_IsRefusedAndStoresNothing(ArchiveFormat format)
    {
        using var store = new TestImageStore();
        ImageArchiveBuilder builder = TwoLayerImage(LayerCompression.Zstd);
        builder.WrongDiffIdOfLayer = 1;
        var e = Assert.Throws<InvalidInputException>(() => store.Loader.Load(Write(store, builder, format)));
        Assert.Contains("DiffID", e.Message);
        store.AssertNothingStoredBeyond([]);
    }

    [RootFact]
    public void Load_TamperedTopLayer_KeepsBaseLayerThatWasAlreadyStored()
    {
        using var store = new TestImageStore();
        var baseOnly = new ImageArchiveBuilder().AddLayer(BaseLayer).WithName("base:1");
        store.Loader.Load(Write(store, baseOnly, ArchiveFormat.DockerSave, "base"));
        HashSet<string> before = store.LayerIds();

        ImageArchiveBuilder tampered = TwoLayerImage();
        tampered.WrongDiffIdOfLayer = 1;
        Assert.Throws<InvalidInputException>(() => store.Loader.Load(Write(store, tampered, ArchiveFormat.OciArchive)));
        store.AssertNothingStoredBeyond(before, imagesBefore: 1);
        Assert.NotNull(store.Images.TryResolve("base:1"));
    }

    [RootTheory]
    [InlineData(ArchiveFormat.DockerSave)]
    [InlineData(ArchiveFormat.OciArchive)]
    public void Load_TruncatedArchive_IsRefusedAndStoresNothing(ArchiveFormat format)
    {
        using var store = new TestImageStore();
        string path = Write(store, TwoLayerImage(LayerCompression.Gzip), format);
        byte[] whole = File.ReadAllBytes(path);
        File.WriteAllBytes(path, whole[..(whole.Length * 2 / 3)]);
        var e = Assert.Throws<InvalidInputException>(() => store.Loader.Load(path));
        Assert.DoesNotContain('\n', e.Message);
        store.AssertNothingStoredBeyond([]);
    }

    [RootFact]
    public void Load_GzipCompressedDockerSave_Loads()
    {
        using var store = new TestImageStore();
        string path = Write(store, TwoLayerImage(), ArchiveFormat.DockerSaveLegacy);
        File.WriteAllBytes(path + ".gz", ImageArchiveBuilder.Compress(File.ReadAllBytes(path), LayerCompression.Gzip));
        Assert.Single(store.Loader.Load(path + ".gz"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Temp));
    }

    [RootFact]
    public void Load_NotAnImage_IsRefused()
    {
        using var store = new TestImageStore();
        string path = store.Input("flat.tar");
        File.WriteAllBytes(path, BaseLayer);
        var e = Assert.Throws<InvalidInputException>(() => store.Loader.Load(path));
        Assert.Contains("minirun import", e.Message);
    }

    [RootFact]
    public void Load_TwoImagesWithSameBase_StoreTheBaseLayerOnce()
    {
        using var store = new TestImageStore();
        store.Loader.Load(Write(store, TwoLayerImage(LayerCompression.Gzip), ArchiveFormat.OciArchive, "one"));
        var second = new ImageArchiveBuilder { Compression = LayerCompression.Zstd }
            .AddLayer(BaseLayer).AddLayer(LayerTar.Files(("app/other.txt", "other\n"))).WithName("second:latest");
        store.Loader.Load(Write(store, second, ArchiveFormat.DockerSave, "two"));

        Assert.Equal(2, store.Images.List().Count);
        Assert.Equal(3, store.LayerIds().Count);
        Assert.Equal(3, Directory.GetDirectories(store.Paths.Layers).Length);
    }

    [RootFact]
    public void Load_SameImageTwice_IsIdempotent()
    {
        using var store = new TestImageStore();
        string path = Write(store, TwoLayerImage(), ArchiveFormat.DockerSave);
        ImageRecord first = Assert.Single(store.Loader.Load(path));
        ImageRecord again = Assert.Single(store.Loader.Load(path));
        Assert.Equal(first.Id, again.Id);
        Assert.Single(store.Images.List());
        Assert.Equal(2, store.LayerIds().Count);
    }

    [RootFact]
    public void Load_ManyLayersAboveLimit_IsRefused()
    {
        using var store = new TestImageStore();
        var builder = new ImageArchiveBuilder().WithName(Name);
        byte[] layer = LayerTar.Files(("x", "x"));
        for (int i = 0; i <= ImagePlan.MaxLayers; i++) builder.AddLayer(layer);
        var e = Assert.Throws<InvalidInputException>(() => store.Loader.Load(Write(store, builder, ArchiveFormat.OciLayout)));
        Assert.Contains("layers", e.Message);
        store.AssertNothingStoredBeyond([]);
    }
}
