using System.Security.Cryptography;
using System.Text.Json;
using MiniRun.Layers;

namespace MiniRun.Images;

/// <summary>What `save` writes: Docker's archive (an OCI layout plus manifest.json, as docker save ≥ 25) or a plain OCI layout.</summary>
public enum SaveFormat { Docker, Oci }

/// <summary>
/// `save`: images → one tar. Layers are kept unpacked in the store, with the tar each came from less its file data
/// (tar-split, as Docker keeps it): that tar is given back byte for byte, so DiffIDs and the image ID (the config's
/// digest) are kept, as `docker save` keeps them. A layer without that record (or whose split no longer matches its
/// files) is archived again from its directory (whiteouts back to <c>.wh.</c> form) in a deterministic order, and the
/// config is then rewritten with the new DiffIDs (a new image ID). The archive holds an OCI image layout
/// (image-spec image-layout.md: oci-layout, index.json, blobs/sha256/) and, in Docker format, the manifest.json that
/// `docker load` of every version reads (it follows the paths it lists).
/// </summary>
public sealed class ImageSaver(ImageStore images)
{
    private const string LayerMediaType = "application/vnd.oci.image.layer.v1.tar";
    private const string ConfigMediaType = "application/vnd.oci.image.config.v1+json";
    private const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    private const string IndexMediaType = "application/vnd.oci.image.index.v1+json";

    private sealed record Blob(Digest Digest, long Size, string? File, byte[]? Bytes);

    public void Save(IReadOnlyList<string> references, SaveFormat format, Stream output)
    {
        string temp = images.Paths.NewTempDirectory("save");
        try
        {
            var blobs = new Dictionary<Digest, Blob>();
            var layerBlobs = new Dictionary<Digest, Blob>();
            var index = new List<OciDescriptor>();
            var dockerManifest = new List<DockerManifestEntry>();
            foreach (string reference in references)
            {
                ImageRecord image = images.Resolve(reference);
                List<Blob> layers = image.DiffIds.Select(d => ArchiveLayer(d, temp, layerBlobs)).ToList();
                Blob config = Config(image, layers);
                var manifest = new OciManifest
                {
                    SchemaVersion = 2, MediaType = ManifestMediaType,
                    Config = new OciDescriptor { MediaType = ConfigMediaType, Digest = config.Digest.ToString(), Size = config.Size },
                    Layers = layers.Select(l => new OciDescriptor { MediaType = LayerMediaType, Digest = l.Digest.ToString(), Size = l.Size }).ToList(),
                };
                Blob manifestBlob = InMemory(JsonSerializer.SerializeToUtf8Bytes(manifest, ImagesJsonContext.Default.OciManifest));
                foreach (Blob blob in layers.Append(config).Append(manifestBlob)) blobs.TryAdd(blob.Digest, blob);
                List<ImageReference> names = Names(reference, image);
                foreach (ImageReference? name in names.Count == 0 ? [null] : names.Cast<ImageReference?>())
                    index.Add(new OciDescriptor
                    {
                        MediaType = ManifestMediaType, Digest = manifestBlob.Digest.ToString(), Size = manifestBlob.Size,
                        Annotations = name is null ? null : new Dictionary<string, string>
                        {
                            ["io.containerd.image.name"] = name.ToString(), ["org.opencontainers.image.ref.name"] = name.Tag!,
                        },
                    });
                dockerManifest.Add(new DockerManifestEntry
                {
                    Config = BlobPath(config.Digest), RepoTags = names.Select(n => n.FamiliarString).ToList(),
                    Layers = layers.Select(l => BlobPath(l.Digest)).ToList(),
                });
            }
            WriteArchive(output, format, blobs.Values, index, dockerManifest);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>The names to record: the one given, or all of the image's when it was named by ID (docker save's rule).</summary>
    private static List<ImageReference> Names(string reference, ImageRecord image)
    {
        if (ImageReference.TryParse(reference, out ImageReference? given) && given.IsTagged && image.Names.Contains(given.ToString())) return [given];
        return image.Names.Select(ImageReference.Parse).ToList();
    }

    /// <summary>
    /// The layer's tar: the one it was loaded from, given back from its tar-split and files (as Docker does), so its
    /// DiffID and the image ID stay; else (no split, or a file of it replaced later in the layer) archived anew.
    /// </summary>
    private Blob ArchiveLayer(Digest diffId, string temp, Dictionary<Digest, Blob> done)
    {
        if (done.TryGetValue(diffId, out Blob? blob)) return blob;
        Layer layer = images.Layers.Get(diffId);
        string file = Path.Combine(temp, $"layer-{done.Count}.tar");
        if (File.Exists(layer.TarSplitPath))
        {
            bool assembled;
            using (var split = new FileStream(layer.TarSplitPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            using (var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write))
                assembled = TarSplitAssembler.TryWrite(split, layer.DiffPath, output);
            if (assembled && Hash(file) is { } original && original.Digest == diffId) return done[diffId] = original;
            File.Delete(file);
        }
        using (var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write))
            new DirectoryArchiver(layerWhiteouts: true).Write(layer.DiffPath, output);
        return done[diffId] = Hash(file);
    }

    private static Blob Hash(string file)
    {
        using var input = new FileStream(file, FileMode.Open, FileAccess.Read);
        return new Blob(Digest.FromSha256(SHA256.HashData(input)), input.Length, file, null);
    }

    /// <summary>The stored config when every layer kept its DiffID; otherwise the same config with the new DiffIDs.</summary>
    private Blob Config(ImageRecord image, List<Blob> layers)
    {
        byte[] bytes = images.ReadConfigBytes(image.Id);
        if (layers.Select(l => l.Digest).SequenceEqual(image.DiffIds)) return InMemory(bytes);
        ImageConfig config = ImageJson.ParseConfig(bytes, $"image {image.Id}");
        config.RootFs.DiffIds = layers.Select(l => l.Digest.ToString()).ToList();
        return InMemory(JsonSerializer.SerializeToUtf8Bytes(config, ImagesJsonContext.Default.ImageConfig));
    }

    private static Blob InMemory(byte[] bytes) => new(Digest.Of(bytes), bytes.Length, null, bytes);

    private static string BlobPath(Digest digest) => $"blobs/{digest.Algorithm}/{digest.Hex}";

    private static void WriteArchive(Stream output, SaveFormat format, IEnumerable<Blob> blobs, List<OciDescriptor> index, List<DockerManifestEntry> dockerManifest)
    {
        var tar = new TarStreamWriter(output);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        tar.Write(new TarHeader("blobs/", '5', 0x1ED, 0, 0, 0, now));
        tar.Write(new TarHeader("blobs/sha256/", '5', 0x1ED, 0, 0, 0, now));
        foreach (Blob blob in blobs.OrderBy(b => b.Digest.Hex, StringComparer.Ordinal))
        {
            using Stream content = blob.File is { } file ? new FileStream(file, FileMode.Open, FileAccess.Read) : new MemoryStream(blob.Bytes!);
            tar.Write(new TarHeader(BlobPath(blob.Digest), '0', 0x1A4, 0, 0, blob.Size, now), content);
        }
        var indexDocument = new OciIndex { SchemaVersion = 2, MediaType = IndexMediaType, Manifests = index };
        WriteJson(tar, "index.json", JsonSerializer.SerializeToUtf8Bytes(indexDocument, ImagesJsonContext.Default.OciIndex), now);
        if (format == SaveFormat.Docker)
            WriteJson(tar, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(dockerManifest, ImagesJsonContext.Default.ListDockerManifestEntry), now);
        WriteJson(tar, "oci-layout", JsonSerializer.SerializeToUtf8Bytes(new OciLayoutMarker { ImageLayoutVersion = "1.0.0" }, ImagesJsonContext.Default.OciLayoutMarker), now);
        tar.Finish();
    }

    private static void WriteJson(TarStreamWriter tar, string name, byte[] json, long now) =>
        tar.Write(new TarHeader(name, '0', 0x1A4, 0, 0, json.Length, now), new MemoryStream(json));
}
