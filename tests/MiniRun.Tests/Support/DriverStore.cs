namespace MiniRun.Tests.Support;

/// <summary>
/// A scratch directory for a new store of a storage driver: for btrfs one on a <see cref="BtrfsFileSystem"/> of the
/// test's own (the driver refuses any other), else a temporary directory; Dispose removes it, file system and all.
/// </summary>
public sealed class DriverStore : IDisposable
{
    private readonly BtrfsFileSystem? _btrfs;
    private readonly TempDirectory _scratch;

    public DriverStore(string driver, string prefix)
    {
        _scratch = new TempDirectory(prefix);
        if (driver == "btrfs") _btrfs = new BtrfsFileSystem();
        Path = _btrfs?.Combine("store") ?? _scratch.Combine("store");
    }

    /// <summary>Where the store goes (not made yet).</summary>
    public string Path { get; }

    /// <summary>A file or directory beside the store, on the machine's disk (archives, scripts).</summary>
    public string Combine(string name) => _scratch.Combine(name);

    public void Dispose()
    {
        try
        {
            _btrfs?.Dispose();
        }
        finally
        {
            _scratch.Dispose();
        }
    }
}
