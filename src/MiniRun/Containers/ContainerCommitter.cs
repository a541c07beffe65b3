using System.Text.Json;
using MiniRun.Images;
using MiniRun.Layers;

namespace MiniRun.Containers;

/// <summary>
/// `commit`: the container's upper dir (or its tree's changes, <see cref="ContainerSnapshotter.WriteChanges"/>) becomes one more layer on top of its image's (whiteouts and opaque
/// directories written back as <c>.wh.</c> entries, image-spec layer.md), unpacked into the layer store like any
/// loaded layer, and a new config: the image's, with that DiffID and a history entry appended (image-spec config.md).
/// The runtime's own files live in the init layer, below the upper dir, so they are not committed (as Docker's -init).
/// </summary>
public sealed class ContainerCommitter(ImageStore images, ContainerStore containers)
{
    /// <param name="pause">freeze a running container while its upper dir is read (docker commit --pause, the default).</param>
    public ImageRecord Commit(Container container, string? name, string? message, bool pause = true)
    {
        ImageReference? reference = name is null ? null : ImageReference.Parse(name);
        using Native.FileLock storeLock = images.Paths.LockShared(); // the new layer is unused until the image below names it
        ImageRecord parent = images.TryGet(Digest.Parse(container.Record.ImageId, "container " + container.Id))
            ?? throw new NotFoundException($"the image of container {container.Name} ({container.Record.ImageId}) is no longer in the store");
        if (parent.DiffIds.Count >= ImagePlan.MaxLayers)
            throw new MiniRunException($"cannot commit container {container.Name}: its image has {parent.DiffIds.Count} layers, and an image of more than {ImagePlan.MaxLayers} could not be run (one page of overlay mount options)");

        string temp = images.Paths.NewTempDirectory("commit");
        Layer layer;
        try
        {
            string tarPath = Path.Combine(temp, "layer.tar");
            using (ContainerPause.WhileReading(containers, container, pause))
            using (var output = new FileStream(tarPath, FileMode.CreateNew, FileAccess.Write))
                new ContainerSnapshotter(images.Layers).WriteChanges(container, output);
            using var input = new FileStream(tarPath, FileMode.Open, FileAccess.Read);
            layer = images.Layers.Add(input, null, $"container {container.Name}'s changes");
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }

        ImageConfig config = ImageJson.ParseConfig(images.ReadConfigBytes(parent.Id), $"image {parent.Id}");
        DateTimeOffset now = DateTimeOffset.UtcNow;
        config.Created = now;
        config.History ??= [];
        // History has one non-empty entry per layer; pad an image that came without history so they stay aligned.
        int missing = config.RootFs.DiffIds.Count - config.History.Count(h => h.EmptyLayer != true);
        for (int i = 0; i < missing; i++) config.History.Add(new HistoryEntry { Created = config.Created });
        config.History.Add(new HistoryEntry { Created = now, CreatedBy = string.Join(' ', container.Record.Args), Comment = message });
        config.RootFs.DiffIds.Add(layer.DiffId.ToString());
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(config, ImagesJsonContext.Default.ImageConfig);
        return images.Add(bytes, reference is null ? [] : [reference]);
    }
}
