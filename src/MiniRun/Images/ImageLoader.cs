using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using MiniRun.Layers;

namespace MiniRun.Images;

/// <summary>
/// The one entry point that brings images into the store: <see cref="Load"/> (docker save ≤24 and ≥25, OCI layout
/// directory, oci-archive) and <see cref="Import"/> (a flat root filesystem tar). Every blob is verified against its
/// digest and every layer against its DiffID; on any failure nothing stays: layers this call added are removed again.
/// </summary>
public sealed class ImageLoader(ImageStore store)
{
    public ImageStore Store { get; } = store;
    private LayerStore Layers => Store.Layers;

    /// <summary>How many layers of one load are unpacked at once (decompression and unpacking are CPU and syscall bound).</summary>
    public int MaxParallelLayers { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>
    /// Layers whose DiffID the store already has are not read at all (a pull must not download them again). Off for
    /// <c>load</c>, which verifies every blob of the archive it is given.
    /// </summary>
    public bool SkipLayersInStore { get; init; }

    /// <summary>Called (from a worker thread) when a layer has been verified, unpacked and published.</summary>
    public Action<LayerSource>? LayerAdded { get; init; }

    /// <summary>Called (from a worker thread) as a layer's blob is read: bytes read so far, and the blob's length.</summary>
    public Action<LayerSource, long, long>? LayerRead { get; init; }

    /// <summary>
    /// <c>minirun load -i PATH [--tag NAME:TAG]</c>. Names come from the source (RepoTags, io.containerd.image.name, a
    /// full-reference org.opencontainers.image.ref.name); <paramref name="tag"/> replaces them and is required when there are none.
    /// </summary>
    public IReadOnlyList<ImageRecord> Load(string path, string? tag = null)
    {
        ImageReference? tagName = ParseTag(tag);
        Store.Paths.EnsureCreated();
        string? scratch = null;
        try
        {
            using BlobSource source = ImageSources.Open(path, Store.Paths, ref scratch);
            return Load(source, tagName);
        }
        finally
        {
            if (scratch is not null) Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary><c>minirun load &lt; x.tar</c>: the archive from a stream, spooled to the store's tmp/ and removed after, even on failure.</summary>
    public IReadOnlyList<ImageRecord> Load(Stream input, string displayName, string? tag = null)
    {
        ImageReference? tagName = ParseTag(tag);
        Store.Paths.EnsureCreated();
        string? scratch = null;
        try
        {
            using BlobSource source = ImageSources.Open(input, displayName, Store.Paths, ref scratch);
            return Load(source, tagName);
        }
        finally
        {
            if (scratch is not null) Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Loads from an already opened source (the readers decide the format from its files).</summary>
    public IReadOnlyList<ImageRecord> Load(BlobSource source, ImageReference? tag)
    {
        IReadOnlyList<ImagePlan> plans = Merge(ReadPlans(source));
        if (tag is not null)
        {
            if (plans.Count != 1) throw new InvalidInputException($"{source.Description}: holds {plans.Count} images; --tag names exactly one");
            plans = [plans[0] with { Names = [tag] }];
        }
        else if (plans.FirstOrDefault(p => p.Names.Count == 0) is { } unnamed)
        {
            throw new InvalidInputException($"{source.Description}: names no image{(plans.Count > 1 ? $" for {unnamed.Id}" : "")}: give --tag NAME:TAG");
        }

        return Add(plans);
    }

    /// <summary>
    /// Stores checked plans: their layers (in parallel), then their records; on any failure the images and layers this
    /// call added are removed again. <paramref name="repoDigests"/>, when given, replaces the ones derived from the names.
    /// </summary>
    public IReadOnlyList<ImageRecord> Add(IReadOnlyList<ImagePlan> plans, IReadOnlyList<string>? repoDigests = null)
    {
        foreach (ImagePlan plan in plans)
            if (plan.Layers.Count > ImagePlan.MaxLayers)
                throw new InvalidInputException($"image {plan.Id} has {plan.Layers.Count} layers; at most {ImagePlan.MaxLayers} are supported (one page of overlay mount options)");
        using Native.FileLock storeLock = Store.Paths.LockShared();
        HashSet<Digest> before = ExistingLayers();
        var created = new List<Digest>();
        try
        {
            AddLayers(plans.SelectMany(p => p.Layers).Where(l => !SkipLayersInStore || !before.Contains(l.DiffId)).ToList());
            var records = new List<ImageRecord>(plans.Count);
            foreach (ImagePlan plan in plans)
            {
                bool existed = Store.TryGet(plan.Id) is not null;
                records.Add(Store.Add(plan.ConfigBytes, plan.Names, repoDigests ?? RepoDigestsOf(plan)));
                if (!existed) created.Add(plan.Id);
            }
            return records;
        }
        catch
        {
            RollBack(before, plans.SelectMany(p => p.Layers).Select(l => l.DiffId), created);
            throw;
        }
    }

    /// <summary><c>minirun import FILE [NAME[:TAG]]</c>: a flat root filesystem tar (none/gzip/zstd/xz) as a one-layer image.</summary>
    public ImageRecord Import(string file, string? name) =>
        Import(name, Path.GetFileName(file), () => RootfsTarball.AddLayer(Layers, file));

    /// <summary><c>minirun import - [NAME[:TAG]]</c>: the tar from a stream, unpacked as it arrives (a layer needs no seeking).</summary>
    public ImageRecord Import(Stream input, string displayName, string? name) =>
        Import(name, displayName, () => RootfsTarball.AddLayer(Layers, input, displayName));

    private ImageRecord Import(string? name, string fileName, Func<Layer> addLayer)
    {
        ImageReference? reference = ParseTag(name);
        using Native.FileLock storeLock = Store.Paths.LockShared();
        HashSet<Digest> before = ExistingLayers();
        Layer? layer = null;
        try
        {
            layer = addLayer();
            byte[] config = RootfsTarball.CreateConfig(layer.DiffId, fileName, DateTimeOffset.UtcNow);
            return Store.Add(config, reference is null ? [] : [reference]);
        }
        catch
        {
            if (layer is not null) RollBack(before, [layer.DiffId], []);
            throw;
        }
    }

    private static IReadOnlyList<ImagePlan> ReadPlans(BlobSource source)
    {
        if (DockerArchive.IsDockerArchive(source)) return DockerArchive.Read(source);
        if (OciLayout.IsOciLayout(source)) return OciLayout.Read(source);
        throw new InvalidInputException(
            $"{source.Description}: neither a docker save archive (manifest.json) nor an OCI image layout (index.json, oci-layout); for a root filesystem tar use `minirun import`");
    }

    /// <summary>Two entries for one config (one image, two names) become one plan with both names.</summary>
    private static IReadOnlyList<ImagePlan> Merge(IReadOnlyList<ImagePlan> plans) =>
        plans.GroupBy(p => p.Id)
            .Select(g => g.First() with { Names = g.SelectMany(p => p.Names).Distinct().ToList() })
            .ToList();

    private static List<string> RepoDigestsOf(ImagePlan plan) =>
        plan.ManifestDigest is { } digest ? plan.Names.Select(n => $"{n.Repository}@{digest}").Distinct().ToList() : [];

    private void AddLayers(List<LayerSource> layers)
    {
        // One job per DiffID: its copies (the same layer twice in an image) run in order, after the first published it.
        List<List<LayerSource>> jobs = layers.GroupBy(l => l.DiffId).Select(g => g.ToList()).ToList();
        var errors = new ConcurrentQueue<Exception>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxParallelLayers };
        Parallel.ForEach(jobs, options, (job, state) =>
        {
            try
            {
                foreach (LayerSource layer in job)
                {
                    if (state.ShouldExitCurrentIteration) return;
                    AddLayer(layer);
                    LayerAdded?.Invoke(layer);
                }
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
                state.Stop();
            }
        });
        if (!errors.IsEmpty)
        {
            Exception first = errors.FirstOrDefault(e => e is InvalidInputException) ?? errors.First();
            ExceptionDispatchInfo.Capture(first).Throw();
        }
    }

    /// <summary>Streams one blob: verify its digest as it passes → decompress (by magic bytes) → unpack and check the DiffID.</summary>
    private Layer AddLayer(LayerSource layer)
    {
        string where = $"{layer.Source.Description}: layer {layer.Name}";
        try
        {
            // Buffered: the tar reader asks for 512-byte headers, and each read of an archive member is a pread.
            using Stream raw = new BufferedStream(Track(layer, layer.Source.Open(layer.Name)), 1 << 17);
            if (layer.BlobDigest is not { } blobDigest)
            {
                using Stream plain = Compression.Decompress(raw, out CompressionKind plainKind);
                return Layers.Add(plain, layer.DiffId, where, decompressing: plainKind != CompressionKind.None);
            }
            using var verifying = new DigestVerifyingStream(raw, blobDigest, layer.BlobSize, layer.Source, layer.Name);
            using Stream tar = Compression.Decompress(verifying, out CompressionKind kind);
            Layer result = Layers.Add(tar, layer.DiffId, where, decompressing: kind != CompressionKind.None);
            verifying.ReadToEndAndVerify();
            return result;
        }
        catch (Exception e) when (IsCorruptData(e))
        {
            throw new InvalidInputException($"{where}: corrupt or truncated ({UserMessages.Detail(e)})");
        }
    }

    private Stream Track(LayerSource layer, Stream blob)
    {
        if (LayerRead is not { } report) return blob;
        long total = layer.BlobSize ?? layer.Source.Length(layer.Name);
        report(layer, 0, total);
        return new ReadProgressStream(blob, read => report(layer, read, total));
    }

    /// <summary>What decompressors and the tar reader throw on damaged input (as opposed to I/O errors of the store).</summary>
    internal static bool IsCorruptData(Exception e) =>
        e is InvalidDataException or EndOfStreamException or FormatException or ZstdSharp.ZstdException;

    private HashSet<Digest> ExistingLayers() => Layers.List().Select(l => l.DiffId).ToHashSet();

    /// <summary>
    /// Undoes a failed load: the images it created, then the layers it brought that were not in the store before
    /// and that no image uses (a concurrent load may have claimed one meanwhile).
    /// </summary>
    private void RollBack(HashSet<Digest> before, IEnumerable<Digest> ours, List<Digest> createdImages)
    {
        foreach (Digest id in createdImages) TryDeleteImage(id);
        foreach (Digest diffId in ours.Distinct().Where(d => !before.Contains(d)))
        {
            try
            {
                if (Layers.TryGet(diffId) is null || Store.IsLayerUsed(diffId)) continue;
                Layers.Remove(diffId);
            }
            catch (Exception) { /* best effort: the original error is the one to report */ }
        }
    }

    private void TryDeleteImage(Digest id)
    {
        try { Store.Delete(id, removeUnusedLayers: false); }
        catch (Exception) { /* best effort, as above */ }
    }

    private static ImageReference? ParseTag(string? tag)
    {
        if (tag is null) return null;
        ImageReference reference = ImageReference.Parse(tag);
        if (reference.Digest is not null) throw new InvalidInputException($"cannot name an image by digest: {tag}");
        return reference;
    }
}
