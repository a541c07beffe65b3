namespace MiniRun.Images;

/// <summary>One layer of an image about to be loaded: where its blob is, what it must hash to, what it must unpack to.</summary>
/// <param name="Name">The blob's path inside the source (<c>blobs/sha256/…</c> or <c>&lt;id&gt;/layer.tar</c>).</param>
/// <param name="BlobDigest">The digest of the (possibly compressed) blob, when the source names one.</param>
/// <param name="BlobSize">The blob's size from its descriptor, when known.</param>
/// <param name="DiffId">The digest of the uncompressed tar, from the config's rootfs.diff_ids.</param>
public sealed record LayerSource(BlobSource Source, string Name, Digest? BlobDigest, long? BlobSize, Digest DiffId);

/// <summary>
/// An image a reader found and checked (config digest verified, layer count and diff_ids consistent) but that is not
/// stored yet: the loader adds its layers, then its record, or nothing at all.
/// </summary>
public sealed record ImagePlan(
    string Source,
    byte[] ConfigBytes,
    Digest Id,
    ImageConfig Config,
    IReadOnlyList<LayerSource> Layers,
    IReadOnlyList<ImageReference> Names,
    Digest? ManifestDigest)
{
    /// <summary>
    /// The most layers an image may have: what a container of it can mount. Its overlay's lowerdir names each layer by
    /// its short link under l/ (29 bytes with the ':'), after the container's init layer, and the kernel takes all the
    /// options in one page (<see cref="Containers.OverlayMount.MaxOptionsLength"/>): 128 fit, moby's overlay2 has the
    /// same (its maxDepth). An image with more could be stored but never run, so it is refused as soon as its manifest
    /// is read, before a layer is (which also keeps a hostile manifest of a million layers cheap); commit stops there too.
    /// </summary>
    public const int MaxLayers = 128;

    /// <summary>
    /// Checks a config against the layer blobs a manifest lists (image-spec config.md: rootfs.diff_ids has one
    /// entry per layer, in order, bottom first) and builds the plan.
    /// </summary>
    public static ImagePlan Create(BlobSource source, string configName, byte[] configBytes, Digest? expectedConfigDigest,
        IReadOnlyList<(string Name, Digest? BlobDigest, long? BlobSize)> layers, IReadOnlyList<ImageReference> names, Digest? manifestDigest)
    {
        Digest id = Digest.Of(configBytes);
        if (expectedConfigDigest is { } expected && expected != id) throw source.BlobDigestMismatch(configName, id, expected);
        string where = $"{source.Description}: {configName}";
        ImageConfig config = ImageJson.ParseConfig(configBytes, where);
        if (config.Os is { } os && os != "linux") throw new InvalidInputException($"{where}: the image is for {os}, not linux");
        if (layers.Count > MaxLayers) throw new InvalidInputException($"{source.Description}: {layers.Count} layers, more than {MaxLayers}, the most a container can mount (one page of overlay mount options)");
        List<string> diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != layers.Count)
            throw new InvalidInputException($"{where}: rootfs.diff_ids lists {diffIds.Count} layers but the manifest has {layers.Count}");
        var sources = new List<LayerSource>(layers.Count);
        for (int i = 0; i < layers.Count; i++)
        {
            Digest diffId = Digest.Parse(diffIds[i], $"{where}: rootfs.diff_ids[{i}]");
            sources.Add(new LayerSource(source, layers[i].Name, layers[i].BlobDigest, layers[i].BlobSize, diffId));
        }
        return new ImagePlan(source.Description, configBytes, id, config, sources, names, manifestDigest);
    }
}
