using MiniRun.Images;
using MiniRun.Layers;
using MiniRun.Store;

namespace MiniRun.Tests.Images;

/// <summary>A fresh store under a temp directory with the image and layer stores and a loader on it.</summary>
internal sealed class TestImageStore : IDisposable
{
    private readonly TempDirectory _temp = new("minirun-images");

    public StorePaths Paths { get; }
    public LayerStore Layers { get; }
    public ImageStore Images { get; }
    public ImageLoader Loader { get; }

    public TestImageStore()
    {
        Paths = new StorePaths(_temp.Combine("store")).EnsureCreated();
        Layers = new LayerStore(Paths);
        Images = new ImageStore(Paths, Layers);
        Loader = new ImageLoader(Images);
    }

    /// <summary>A path for input files, outside the store.</summary>
    public string Input(string name) => _temp.Combine(name);

    public HashSet<string> LayerIds() => Layers.List().Select(l => l.DiffId.ToString()).ToHashSet();

    public string LayerFile(string diffId, string relative) => Path.Combine(Layers.Get(Digest.Parse(diffId, "test")).DiffPath, relative);

    /// <summary>A failed load must leave no image, no name and no layer but those given.</summary>
    public void AssertNothingStoredBeyond(IReadOnlyCollection<string> layersBefore, int imagesBefore = 0)
    {
        Assert.Equal(imagesBefore, Images.List().Count);
        if (imagesBefore == 0 && File.Exists(Paths.Repositories)) Assert.Equal("{}", File.ReadAllText(Paths.Repositories));
        Assert.Equal(layersBefore.Order(), LayerIds().Order());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Paths.Temp));
        Assert.Equal(layersBefore.Count, Directory.EnumerateFileSystemEntries(Paths.Links).Count());
    }

    public void Dispose() => _temp.Dispose();
}
