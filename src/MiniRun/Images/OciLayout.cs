namespace MiniRun.Images;

/// <summary>
/// Reads an OCI image layout (image-spec image-layout.md), as a directory or as a tar of one (oci-archive):
/// <c>index.json</c> → manifest (through nested indexes, choosing linux and this machine's architecture) → config + layers.
/// </summary>
public static class OciLayout
{
    public const string IndexName = "index.json";
    public const string MarkerName = "oci-layout";
    /// <summary>containerd's annotation with the full image name (docker save ≥25 writes it too).</summary>
    public const string ContainerdImageNameAnnotation = "io.containerd.image.name";
    /// <summary>annotations.md: the reference name; often a bare tag, which names nothing on its own.</summary>
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    private const int MaxIndexDepth = 4;
    private const int MaxManifests = 1000;

    public static bool IsOciLayout(BlobSource source) => source.Contains(IndexName) && source.Contains(MarkerName);

    public static IReadOnlyList<ImagePlan> Read(BlobSource source)
    {
        CheckMarker(source);
        OciIndex index = ImageJson.ParseIndex(source.ReadJson(IndexName), $"{source.Description}: {IndexName}");
        List<OciDescriptor> entries = index.Manifests ?? [];
        if (entries.Count > MaxManifests) throw new InvalidInputException($"{source.Description}: {IndexName} lists more than {MaxManifests} manifests");
        var plans = new List<ImagePlan>();
        foreach (OciDescriptor entry in entries.Where(e => e.Platform is null || Platforms.Matches(e.Platform)))
        {
            if (ResolveManifest(source, entry, 0) is not var (manifestDigest, manifest)) continue;
            plans.Add(PlanFor(source, manifestDigest, manifest, NamesOf(entry.Annotations, source)));
        }
        if (plans.Count == 0)
        {
            string found = string.Join(", ", entries.Select(e => e.Platform?.ToString()).OfType<string>().Distinct());
            throw new InvalidInputException($"{source.Description}: {IndexName} has no image for {Platforms.Current}{(found.Length > 0 ? $" (it has {found})" : "")}");
        }
        return plans;
    }

    private static void CheckMarker(BlobSource source)
    {
        string where = $"{source.Description}: {MarkerName}";
        OciLayoutMarker marker = ImageJson.Parse(source.ReadJson(MarkerName), ImagesJsonContext.Default.OciLayoutMarker, where);
        if (marker.ImageLayoutVersion is not { } version || !version.StartsWith("1.", StringComparison.Ordinal))
            throw new InvalidInputException($"{where}: unsupported imageLayoutVersion \"{marker.ImageLayoutVersion}\"");
    }

    /// <summary>Follows a descriptor to an image manifest; null for a descriptor that is no image (an artifact, an attestation).</summary>
    private static (Digest, OciManifest)? ResolveManifest(BlobSource source, OciDescriptor descriptor, int depth)
    {
        Digest digest = DigestOf(source, descriptor, "manifest");
        string name = BlobSource.BlobPath(digest);
        if (descriptor.Size > ImageJson.MaxJsonBytes)
            throw new InvalidInputException($"{source.Description}: {name} declares {descriptor.Size} bytes, refused as a manifest");
        byte[] bytes = source.ReadJson(name, digest);
        string where = $"{source.Description}: {name}";
        string? mediaType = descriptor.MediaType;
        if (!MediaTypes.IsIndex(mediaType) && !MediaTypes.IsManifest(mediaType))
        {
            // The descriptor's media type is missing or foreign: fall back to the document's own (image-index.md allows both).
            OciIndex probe = ImageJson.ParseIndex(bytes, where);
            mediaType = probe.MediaType ?? (probe.Manifests is not null ? MediaTypes.OciIndex : MediaTypes.OciManifest);
        }
        if (MediaTypes.IsIndex(mediaType))
        {
            if (depth >= MaxIndexDepth) throw new InvalidInputException($"{where}: indexes nested deeper than {MaxIndexDepth}");
            OciIndex nested = ImageJson.ParseIndex(bytes, where);
            OciDescriptor chosen = Platforms.Choose(nested.Manifests ?? [])
                ?? throw new InvalidInputException($"{where}: has no manifest for {Platforms.Current} (it has {string.Join(", ", (nested.Manifests ?? []).Select(m => m.Platform?.ToString() ?? "?"))})");
            return ResolveManifest(source, chosen, depth + 1);
        }
        if (!MediaTypes.IsManifest(mediaType)) return null;
        OciManifest manifest = ImageJson.ParseManifest(bytes, where);
        return (digest, manifest);
    }

    private static ImagePlan PlanFor(BlobSource source, Digest manifestDigest, OciManifest manifest, List<ImageReference> names)
    {
        string where = $"{source.Description}: {BlobSource.BlobPath(manifestDigest)}";
        OciDescriptor configDescriptor = manifest.Config ?? throw new InvalidInputException($"{where}: has no config");
        Digest configDigest = DigestOf(source, configDescriptor, "config");
        string configName = BlobSource.BlobPath(configDigest);
        byte[] config = source.ReadJson(configName, configDigest);
        List<OciDescriptor> layerDescriptors = manifest.Layers ?? [];
        if (layerDescriptors.Count > ImagePlan.MaxLayers)
            throw new InvalidInputException($"{where}: {layerDescriptors.Count} layers, more than {ImagePlan.MaxLayers}, the most a container can mount (one page of overlay mount options)");
        var layers = new List<(string, Digest?, long?)>(layerDescriptors.Count);
        foreach (OciDescriptor layer in layerDescriptors)
        {
            Digest digest = DigestOf(source, layer, "layer");
            string name = BlobSource.BlobPath(digest);
            long length = source.Length(name);
            if (length != layer.Size)
                throw new InvalidInputException($"{source.Description}: blob {name} has {length} bytes, its descriptor says {layer.Size}");
            layers.Add((name, digest, layer.Size));
        }
        return ImagePlan.Create(source, configName, config, configDigest, layers, names, manifestDigest);
    }

    /// <summary>The names an index entry gives its image; a bare-tag ref.name ("latest") is not a name.</summary>
    internal static List<ImageReference> NamesOf(Dictionary<string, string>? annotations, BlobSource source)
    {
        var names = new List<ImageReference>();
        if (annotations is null) return names;
        if (annotations.TryGetValue(ContainerdImageNameAnnotation, out string? full))
        {
            if (!ImageReference.TryParse(full, out ImageReference? name, out string? error))
                throw new InvalidInputException($"{source.Description}: {IndexName}: {ContainerdImageNameAnnotation}: {error}");
            names.Add(name);
        }
        if (annotations.TryGetValue(RefNameAnnotation, out string? refName) && IsFullReference(refName)
            && ImageReference.TryParse(refName, out ImageReference? byRef) && !names.Contains(byRef))
            names.Add(byRef);
        return names;
    }

    /// <summary>A full reference has a repository and a tag or digest ("alpine:3.20", "x/y@sha256:…"), not just a tag.</summary>
    internal static bool IsFullReference(string refName)
    {
        int slash = refName.LastIndexOf('/');
        return refName.IndexOf(':', slash + 1) > 0 || refName.Contains('@');
    }

    private static Digest DigestOf(BlobSource source, OciDescriptor descriptor, string what) =>
        Digest.Parse(descriptor.Digest ?? "", $"{source.Description}: {what} descriptor digest");
}
