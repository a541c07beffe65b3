using MiniRun.Store;

namespace MiniRun.Layers;

/// <summary>The storage drivers that keep a full tree per layer, by name; overlay stacks the layer directories instead (null).</summary>
public static class TreeCloners
{
    public static ITreeCloner? For(string driver) => driver switch
    {
        StorageDriver.Vfs => new TreeCopier(),
        StorageDriver.Btrfs => new BtrfsSnapshots(),
        _ => null,
    };
}
