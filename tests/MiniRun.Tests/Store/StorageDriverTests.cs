using MiniRun.Store;

namespace MiniRun.Tests.Store;

/// <summary>
/// The store remembers the storage driver it was made with (the file storage-driver at its root), in this process:
/// a new store takes the one asked for, a store of an older MiniRun is overlay, and another driver is refused.
/// </summary>
public class StorageDriverTests : IDisposable
{
    private readonly TempDirectory _scratch = new("minirun-storage-driver");
    private string Root => _scratch.Combine("store");

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void EnsureCreated_NewStoreAskedForVfs_RecordsVfs()
    {
        StorePaths paths = new StorePaths(Root) { RequestedDriver = StorageDriver.Vfs }.EnsureCreated();

        Assert.Equal("vfs", paths.Driver);
        Assert.Equal("vfs\n", File.ReadAllText(Path.Combine(Root, StorageDriver.FileName)));
        Assert.Equal("vfs", new StorePaths(Root).Driver); // remembered: nothing asked, the store's own
    }

    [Fact]
    public void EnsureCreated_NewStoreAskedForNothing_IsOverlay()
    {
        Assert.Equal("overlay", new StorePaths(Root).Driver);
        Assert.Equal("overlay\n", File.ReadAllText(Path.Combine(Root, StorageDriver.FileName)));
    }

    [Fact]
    public void EnsureCreated_VfsStoreAskedForOverlay_RefusedNamingTheStoresDriverAndRoot()
    {
        _ = new StorePaths(Root) { RequestedDriver = StorageDriver.Vfs }.Driver;

        var e = Assert.Throws<MiniRunException>(() => new StorePaths(Root) { RequestedDriver = StorageDriver.Overlay }.EnsureCreated());
        Assert.Equal($"the store at {Root} uses the vfs storage driver, not overlay: drop --storage-driver (and $MINIRUN_STORAGE_DRIVER) to use it, " +
                     "or give overlay a store of its own (--root DIR)", e.Message);
    }

    [Fact]
    public void EnsureCreated_OlderStoreWithLayers_IsOverlayAndRefusesVfs()
    {
        Directory.CreateDirectory(Path.Combine(Root, "layers", "abc", "diff")); // made before stores recorded a driver

        var e = Assert.Throws<MiniRunException>(() => new StorePaths(Root) { RequestedDriver = StorageDriver.Vfs }.EnsureCreated());
        Assert.Contains("uses the overlay storage driver, not vfs", e.Message);
        Assert.Equal("overlay", new StorePaths(Root).Driver);
    }

    [Theory]
    [InlineData("vfs", "vfs")]
    [InlineData("overlay2", "overlay")]
    public void Check_KnownNames_AreTheDriver(string given, string driver) => Assert.Equal(driver, StorageDriver.Check(given, "--storage-driver"));

    [Fact]
    public void Check_UnknownName_RefusedNamingTheChoices()
    {
        var e = Assert.Throws<MiniRunException>(() => StorageDriver.Check("zfs", "--storage-driver"));
        Assert.Equal("--storage-driver: unknown storage driver \"zfs\": choose overlay, vfs or btrfs", e.Message);
    }
}
