namespace MiniRun.Images.Registry;

/// <summary>
/// <c>minirun pull REF</c>: reference → registry → manifest (through an index, choosing the platform) → config →
/// layers streamed into the loader, which verifies every blob and DiffID and stores the image or nothing at all.
/// A registry is just another blob source: the plan and the loader are the ones <c>load</c> uses.
/// </summary>
public sealed class ImagePuller(ImageStore store, PullOptions options)
{
    private const int MaxIndexDepth = 4;

    /// <summary>
    /// The image a reference names, pulled according to <paramref name="policy"/> (run --pull);
    /// <paramref name="pulling"/> is told before a pull starts (docker run's "Unable to find image … locally").
    /// </summary>
    public ImageRecord Ensure(string reference, PullPolicy policy, Action<ImageReference>? pulling = null)
    {
        if (policy == PullPolicy.Never) return store.Resolve(reference);
        if (policy == PullPolicy.Missing && store.TryResolve(reference) is { } present) return present;
        // An image ID or an unparsable name is only ever local.
        if (Digest.TryParse(reference, out _) || !ImageReference.TryParse(reference, out ImageReference? name)) return store.Resolve(reference);
        pulling?.Invoke(name);
        return Pull(name).Image;
    }

    public PullResult Pull(ImageReference reference)
    {
        RegistryEndpoint endpoint = RegistryEndpoint.For(reference.Domain, options.Client.InsecureRegistries);
        using var client = new RegistryClient(endpoint, reference.Path, options.Client);
        RegistryManifest top = client.GetManifest(reference.Digest?.ToString() ?? reference.Tag!);
        OciManifest manifest = ResolveImage(client, top, reference, 0);

        string where = $"{client.Name}: {reference.FamiliarRepository}";
        OciDescriptor configDescriptor = manifest.Config ?? throw new RegistryException($"{where}: the manifest has no config");
        Digest configDigest = Digest.Parse(configDescriptor.Digest ?? "", $"{where}: config descriptor");
        if (configDescriptor.Size > ImageJson.MaxJsonBytes) throw new RegistryException($"{where}: config of {configDescriptor.Size} bytes refused");
        byte[] config = client.GetBlob(configDigest);

        List<OciDescriptor> layerDescriptors = manifest.Layers ?? [];
        if (layerDescriptors.Count > ImagePlan.MaxLayers) throw new RegistryException($"{where}: {layerDescriptors.Count} layers, more than {ImagePlan.MaxLayers}, the most a container can mount (one page of overlay mount options)");
        var sizes = new Dictionary<Digest, long>();
        var layers = new List<(string, Digest?, long?)>();
        foreach (OciDescriptor layer in layerDescriptors)
        {
            Digest digest = Digest.Parse(layer.Digest ?? "", $"{where}: layer descriptor");
            if (layer.Size < 0) throw new RegistryException($"{where}: layer {digest} has a negative size");
            sizes[digest] = layer.Size;
            layers.Add((BlobSource.BlobPath(digest), digest, layer.Size));
        }

        using var source = new RegistryBlobSource(client, reference.FamiliarRepository, sizes,
            (digest, read) => Report(digest, LayerState.Downloading, read, sizes[digest]));
        List<ImageReference> names = reference.Tag is { } tag ? [reference.WithTag(tag)] : [];
        ImagePlan plan = ImagePlan.Create(source, BlobSource.BlobPath(configDigest), config, configDigest, layers, names, top.Digest);

        HashSet<Digest> stored = store.Layers.List().Select(l => l.DiffId).ToHashSet();
        foreach (LayerSource layer in plan.Layers.DistinctBy(l => l.BlobDigest))
            Report(layer.BlobDigest!.Value, stored.Contains(layer.DiffId) ? LayerState.AlreadyExists : LayerState.Waiting, 0, layer.BlobSize ?? 0);
        int downloaded = plan.Layers.Where(l => !stored.Contains(l.DiffId)).DistinctBy(l => l.DiffId).Count();

        bool wasNew = store.TryGet(plan.Id) is null;
        var loader = new ImageLoader(store)
        {
            SkipLayersInStore = true,
            MaxParallelLayers = Math.Max(1, options.MaxParallelDownloads),
            LayerAdded = layer => Report(layer.BlobDigest!.Value, LayerState.Complete, layer.BlobSize ?? 0, layer.BlobSize ?? 0),
        };
        ImageRecord image = loader.Add([plan], [$"{reference.Repository}@{top.Digest}"])[0];
        return new PullResult(image, top.Digest, wasNew, downloaded);
    }

    private void Report(Digest blob, LayerState state, long current, long total) =>
        options.Progress?.Invoke(new LayerProgress(blob.Hex[..12], state, current, total));

    /// <summary>Follows an index to the image manifest for the platform (image-index.md), each document fetched by digest.</summary>
    private OciManifest ResolveImage(RegistryClient client, RegistryManifest document, ImageReference reference, int depth)
    {
        string where = $"{client.Name}: {reference.FamiliarRepository}@{document.Digest}";
        string? mediaType = document.MediaType;
        if (mediaType is MediaTypes.DockerManifestSchema1 or MediaTypes.DockerManifestSchema1Signed)
            throw new RegistryException($"{where}: a Docker schema 1 manifest (deprecated, unsupported); push the image again with a current tool");
        if (!MediaTypes.IsIndex(mediaType) && !MediaTypes.IsManifest(mediaType))
        {
            // Content-Type missing or generic: the document's own mediaType field (or its shape) says what it is.
            OciIndex probe = ParseIndex(document.Bytes, where);
            mediaType = probe.MediaType ?? (probe.Manifests is not null ? MediaTypes.OciIndex : MediaTypes.OciManifest);
            if (probe.SchemaVersion == 1) throw new RegistryException($"{where}: a Docker schema 1 manifest (deprecated, unsupported)");
        }
        if (MediaTypes.IsManifest(mediaType))
        {
            try { return ImageJson.ParseManifest(document.Bytes, where); }
            catch (InvalidInputException e) { throw new RegistryException(e.Message); }
        }
        if (!MediaTypes.IsIndex(mediaType)) throw new RegistryException($"{where}: unsupported manifest type {mediaType}");
        if (depth >= MaxIndexDepth) throw new RegistryException($"{where}: indexes nested deeper than {MaxIndexDepth}");

        List<OciDescriptor> entries = ParseIndex(document.Bytes, where).Manifests ?? [];
        OciDescriptor chosen = options.Platform.Choose(entries) ?? throw new RegistryException(
            $"{where}: no image for {options.Platform} (it has {string.Join(", ", entries.Where(e => !PlatformSpec.IsAttestation(e)).Select(e => e.Platform?.ToString() ?? "?").Distinct())}); choose one with --platform");
        Digest digest = Digest.Parse(chosen.Digest ?? "", $"{where}: index entry");
        if (chosen.Size > ImageJson.MaxJsonBytes) throw new RegistryException($"{where}: manifest of {chosen.Size} bytes refused");
        RegistryManifest child = client.GetManifest(digest.ToString());
        if (child.Bytes.Length != chosen.Size)
            throw new RegistryException($"{where}: manifest {digest} has {child.Bytes.Length} bytes, the index says {chosen.Size}");
        return ResolveImage(client, child with { MediaType = MediaTypes.IsIndex(chosen.MediaType) || MediaTypes.IsManifest(chosen.MediaType) ? chosen.MediaType : child.MediaType },
            reference, depth + 1);
    }

    private static OciIndex ParseIndex(byte[] bytes, string where)
    {
        try { return ImageJson.ParseIndex(bytes, where); }
        catch (InvalidInputException e) { throw new RegistryException(e.Message); }
    }
}
