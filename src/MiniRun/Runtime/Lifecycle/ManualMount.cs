using MiniRun.Images;

using MiniRun.Containers;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>
/// `minirun mount` / `umount`: the overlay of a container (or of an image, through a container made for it and
/// reused) mounted on the host, so a learner can write through merged/ and watch upper/ — the overlayfs tutorial,
/// driven by a real image.
/// </summary>
public sealed class ManualMount(ImageStore images, ContainerStore containers, ContainerRunner runner)
{
    /// <summary>The container's overlay directories: lower (top first, absolute), upper, work, merged.</summary>
    public sealed record OverlayPaths(string ContainerId, IReadOnlyList<string> Lower, string Upper, string Work, string Merged);

    /// <summary>Mounts (or finds mounted) the overlay of a container, or of an image's own container named mount-IMAGE.</summary>
    public OverlayPaths Mount(string imageOrContainer)
    {
        Container container = containers.TryResolve(imageOrContainer) ?? ForImage(imageOrContainer, create: true)!;
        runner.Mount(container);
        return Paths(container);
    }

    /// <summary>Unmounts it again; the container and its upper directory stay (`minirun rm` removes them).</summary>
    public OverlayPaths Unmount(string imageOrContainer)
    {
        Container container = containers.TryResolve(imageOrContainer) ?? ForImage(imageOrContainer, create: false)
            ?? throw new NotFoundException($"no container or mounted image named {imageOrContainer}");
        if (containers.IsRunning(container)) throw new MiniRunException($"container {container.Name} is running: its overlay stays mounted until it stops");
        OverlayMount.Unmount(container.MergedDir);
        return Paths(container);
    }

    public OverlayPaths Paths(Container container) => new(container.Id,
        runner.Snapshotter.LowerDirs(container).Select(l => Path.Combine(containers.Paths.Root, l)).ToList(),
        container.UpperDir, container.WorkDir, container.MergedDir);

    private Container? ForImage(string reference, bool create)
    {
        ImageRecord image = images.Resolve(reference);
        string name = "mount-" + new string(reference.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-').ToArray());
        if (containers.TryResolve(name) is { } existing) return existing;
        if (!create) return null;
        return runner.Create(new ContainerSpec { Image = image.Id.ToString(), Name = name, Command = ["sh"] });
    }
}
