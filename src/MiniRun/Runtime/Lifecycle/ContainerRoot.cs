using MiniRun.Containers;
using MiniRun.Native;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>
/// A container's root filesystem on the host, for `cp`: the merged overlay, mounted for the while when the container
/// is not running (as docker cp mounts a stopped container's), and unmounted again after.
/// </summary>
public sealed class ContainerRoot : IDisposable
{
    private readonly bool _mountedHere;

    private ContainerRoot(string path, bool mountedHere)
    {
        Path = path;
        _mountedHere = mountedHere;
    }

    /// <summary>The merged directory: the container's "/".</summary>
    public string Path { get; }

    public static ContainerRoot Open(ContainerRunner runner, ContainerStore containers, Container container)
    {
        if (OverlayMount.IsMounted(container.MergedDir)) return new ContainerRoot(container.MergedDir, mountedHere: false);
        runner.Mount(container);
        return new ContainerRoot(container.MergedDir, mountedHere: !containers.Observe(container).Running);
    }

    public void Dispose()
    {
        if (_mountedHere) ContainerSnapshotter.Unmount(LinuxSyscalls.Instance, Path);
    }
}
