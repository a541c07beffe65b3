using MiniRun.Native;
using MiniRun.Store;

namespace MiniRun.Layers;

/// <summary>
/// The flock one process holds while it unpacks a layer, so that a concurrent load of the same layer waits and then
/// finds it published instead of unpacking a second copy. The lock file is unlinked before release, so none stay
/// behind; a process that opened the old file still gets the lock, re-checks the store and finds the layer (or, after
/// a failure, unpacks it itself: the publishing rename never replaces, so at worst work is repeated, never content).
/// </summary>
public sealed class LayerUnpackLock : IDisposable
{
    private readonly string _path;
    private FileLock? _lock;

    private LayerUnpackLock(string path, FileLock held) => (_path, _lock) = (path, held);

    public static LayerUnpackLock Acquire(StorePaths paths, Digest diffId)
    {
        string path = Path.Combine(paths.Locks, "layer-" + diffId.Hex);
        return new LayerUnpackLock(path, FileLock.Exclusive(path));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _lock, null) is not { } held) return;
        try { File.Delete(_path); }
        finally { held.Dispose(); }
    }
}
