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

    /// <summary>The container that mounts an image: mount-REFERENCE, the reference made a valid name.</summary>
    public static string ContainerName(string reference) =>
        "mount-" + new string(reference.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-').ToArray());

    /// <summary>Mounts (or finds mounted) the overlay of a container, or of an image's own container named mount-IMAGE.</summary>
    /// <param name="extraLayers">--layer directories, top first, above the init layer: for an image's container, made with them.</param>
    public OverlayPaths Mount(string imageOrContainer, IReadOnlyList<string>? extraLayers = null)
    {
        extraLayers ??= [];
        Container? named = containers.TryResolve(imageOrContainer);
        if (named is not null && extraLayers.Count > 0 && named.Name != ContainerName(named.Record.ImageName))
            throw new MiniRunException($"--layer only applies to an image: container {named.Name} has its layers (give them to `minirun run --layer`)");
        Container container = named ?? ForImage(imageOrContainer, extraLayers);
        if (extraLayers.Count > 0 && !extraLayers.Select(Path.GetFullPath).SequenceEqual(container.Record.ExtraLayers))
            throw new MiniRunException($"{container.Name} was made with other --layer directories ({Listed(container.Record.ExtraLayers)}): " +
                                       $"run `minirun umount {imageOrContainer}` and `minirun rm {container.Name}` first");
        runner.Mount(container);
        return Paths(container);
    }

    /// <summary>Unmounts it again; the container and its upper directory stay (`minirun rm` removes them).</summary>
    public OverlayPaths Unmount(string imageOrContainer)
    {
        // By name only: an image that was never mounted has no container, and "no such image" would blame the wrong thing.
        Container container = containers.TryResolve(imageOrContainer) ?? containers.TryResolve(ContainerName(imageOrContainer))
            ?? throw new NotFoundException($"no such container or mounted image: {imageOrContainer}");
        if (containers.IsRunning(container)) throw new MiniRunException($"container {container.Name} is running: its overlay stays mounted until it stops");
        if (!OverlayMount.IsMounted(container.MergedDir)) throw new MiniRunException($"{imageOrContainer} is not mounted");
        OverlayMount.Unmount(container.MergedDir);
        return Paths(container);
    }

    public OverlayPaths Paths(Container container) => new(container.Id,
        runner.Snapshotter.LowerDirs(container).Select(l => Path.Combine(containers.Paths.Root, l)).ToList(),
        container.UpperDir, container.WorkDir, container.MergedDir);

    private Container ForImage(string reference, IReadOnlyList<string> extraLayers)
    {
        ImageRecord image = images.Resolve(reference);
        string name = ContainerName(reference);
        if (containers.TryResolve(name) is { } existing) return existing;
        // The reference as given, as `run` records it: ps shows the image's name, not its ID.
        return runner.Create(new ContainerSpec { Image = reference, Name = name, Command = ["sh"], ExtraLayers = extraLayers }, image);
    }

    private static string Listed(IReadOnlyList<string> dirs) => dirs.Count == 0 ? "none" : string.Join(", ", dirs);
}
