using MiniRun.Fixtures.Images;
using MiniRun.Images;

namespace MiniRun.Tests.Images;

public sealed class ImageStoreTests
{
    private static readonly byte[] Base = LayerTar.Files(("etc/os-release", "ID=fixture\n"));

    private static ImageRecord Load(TestImageStore store, string name, params byte[][] layers)
    {
        var builder = new ImageArchiveBuilder { Compression = LayerCompression.Gzip }.WithName(name);
        foreach (byte[] layer in layers) builder.AddLayer(layer);
        string path = store.Input(Guid.NewGuid().ToString("N") + ".tar");
        builder.Write(ArchiveFormat.OciArchive, path);
        return Assert.Single(store.Loader.Load(path));
    }

    [RootFact]
    public void TryResolve_EveryNameFormIdAndPrefix_FindsTheImage()
    {
        using var store = new TestImageStore();
        ImageRecord image = Load(store, "minibox:latest", Base);
        foreach (string reference in new[]
                 {
                     "minibox", "minibox:latest", "library/minibox", "docker.io/library/minibox:latest", image.Id.ToString(),
                     image.Id.Hex, image.ShortId, image.Id.Hex[..4], "sha256:" + image.Id.Hex[..8],
                 })
            Assert.Equal(image.Id, store.Images.TryResolve(reference)?.Id);
        Assert.Null(store.Images.TryResolve(image.Id.Hex[..3]));
        Assert.Null(store.Images.TryResolve("minibox:other"));
        Assert.Null(store.Images.TryResolve("sha256:" + new string('0', 64)));
        Assert.Throws<NotFoundException>(() => store.Images.Resolve("nothing"));
    }

    [RootFact]
    public void TryResolve_ByRepoDigest_FindsTheImage()
    {
        using var store = new TestImageStore();
        ImageRecord image = Load(store, "minibox:latest", Base);
        string repoDigest = Assert.Single(image.RepoDigests);
        Assert.StartsWith("docker.io/library/minibox@sha256:", repoDigest);
        string digest = repoDigest[(repoDigest.IndexOf('@') + 1)..];
        Assert.Equal(image.Id, store.Images.Resolve("minibox@" + digest).Id);
        Assert.Null(store.Images.TryResolve("other@" + digest));
    }

    [RootFact]
    public void List_GivesImagesWithNamesAndSize()
    {
        using var store = new TestImageStore();
        ImageRecord one = Load(store, "one:1", Base);
        Load(store, "two:2", Base, LayerTar.Files(("a", "a")));
        IReadOnlyList<ImageRecord> images = store.Images.List();
        Assert.Equal(2, images.Count);
        Assert.Equal(["docker.io/library/one:1"], images.Single(i => i.Id == one.Id).Names);
        Assert.All(images, i => Assert.True(i.Size > 0));
        Assert.Equal("one:1", ImageReference.Parse(images.Single(i => i.Id == one.Id).Names[0]).FamiliarString);
    }

    [RootFact]
    public void Tag_AndUntag_MoveNamesOnly()
    {
        using var store = new TestImageStore();
        ImageRecord image = Load(store, "minibox:latest", Base);
        store.Images.Tag("minibox", "registry.example:5000/mine/box:v1");
        Assert.Equal(["docker.io/library/minibox:latest", "registry.example:5000/mine/box:v1"], store.Images.Resolve(image.Id.ToString()).Names);
        Assert.Equal(image.Id, store.Images.Untag("minibox"));
        Assert.Null(store.Images.TryResolve("minibox"));
        Assert.NotNull(store.Images.TryResolve(image.Id.ToString()));
        Assert.Throws<NotFoundException>(() => store.Images.Untag("minibox"));
        Assert.Throws<NotFoundException>(() => store.Images.Tag("absent", "x:y"));
    }

    [RootFact]
    public void Load_NameOfAnotherImage_MovesTheName()
    {
        using var store = new TestImageStore();
        ImageRecord old = Load(store, "app:latest", Base);
        ImageRecord newer = Load(store, "app:latest", Base, LayerTar.Files(("b", "b")));
        Assert.Equal(newer.Id, store.Images.Resolve("app").Id);
        Assert.Empty(store.Images.Resolve(old.Id.ToString()).Names);
    }

    [RootFact]
    public void Delete_KeepsLayersAnotherImageUses()
    {
        using var store = new TestImageStore();
        ImageRecord one = Load(store, "one:1", Base, LayerTar.Files(("one", "1")));
        ImageRecord two = Load(store, "two:1", Base, LayerTar.Files(("two", "2")));
        Assert.Equal(3, store.LayerIds().Count);

        ImageRemoval removal = store.Images.Delete(one.Id);
        Assert.Equal(["docker.io/library/one:1"], removal.Untagged);
        Assert.Equal([one.DiffIds[1]], removal.DeletedLayers);
        Assert.Equal(two.DiffIds.Select(d => d.ToString()).Order(), store.LayerIds().Order());
        Assert.Null(store.Images.TryResolve("one"));

        store.Images.Remove("two:1");
        store.AssertNothingStoredBeyond([]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Images));
    }

    [RootFact]
    public void Remove_NameOfImageWithTwoNames_OnlyUntags()
    {
        using var store = new TestImageStore();
        ImageRecord image = Load(store, "one:1", Base);
        store.Images.Tag("one:1", "alias:1");
        ImageRemoval removal = store.Images.Remove("alias:1");
        Assert.False(removal.Deleted);
        Assert.Equal(["docker.io/library/one:1"], store.Images.Resolve(image.Id.ToString()).Names);
        Assert.True(store.Images.Remove("one:1").Deleted);
        Assert.Empty(store.Images.List());
    }

    [RootFact]
    public void RepositoriesJson_MapsFullNamesToIds()
    {
        using var store = new TestImageStore();
        ImageRecord image = Load(store, "minibox", Base);
        Assert.Equal($"{{\"docker.io/library/minibox:latest\":\"{image.Id}\"}}", File.ReadAllText(store.Paths.Repositories));
        Assert.True(File.Exists(Path.Combine(store.Paths.Images, image.Id.Hex, "config.json")));
        Assert.Equal(image.Id, Digest.Of(File.ReadAllBytes(Path.Combine(store.Paths.Images, image.Id.Hex, "config.json"))));
    }

    [RootFact]
    public void Add_ConcurrentLoadsOfDifferentImages_KeepEveryName()
    {
        using var store = new TestImageStore();
        string[] paths = Enumerable.Range(0, 6).Select(i =>
        {
            string path = store.Input($"img{i}.tar");
            new ImageArchiveBuilder().AddLayer(Base).AddLayer(LayerTar.Files(($"f{i}", $"{i}"))).WithName($"img{i}:latest").Write(ArchiveFormat.DockerSave, path);
            return path;
        }).ToArray();
        Parallel.ForEach(paths, path => store.Loader.Load(path));
        Assert.Equal(6, store.Images.List().Count(i => i.Names.Count == 1));
        Assert.Equal(7, store.LayerIds().Count);
    }
}
