using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MiniRun.Fixtures.Images;

/// <summary>
/// Writes one image (layers as tar bytes + a generated config) as every source <c>minirun load</c> reads:
/// docker save ≤24 and ≥25, OCI layout directory and oci-archive; layers uncompressed, gzip or zstd.
/// It can tamper (a blob that does not match its digest, a wrong diff_id) and omit names. Output is deterministic.
/// </summary>
public sealed class ImageArchiveBuilder
{
    private const string OciManifestType = "application/vnd.oci.image.manifest.v1+json";
    private const string OciIndexType = "application/vnd.oci.image.index.v1+json";
    private const string OciConfigType = "application/vnd.oci.image.config.v1+json";
    private readonly List<byte[]> _layers = [];

    /// <summary>Full or short names ("minirun-test:latest"); empty to omit names.</summary>
    public List<string> Names { get; } = [];
    public LayerCompression Compression { get; set; } = LayerCompression.None;
    public OciNameStyle OciNames { get; set; } = OciNameStyle.ContainerdAnnotation;
    /// <summary>OCI: put the manifest behind a nested multi-platform index (this machine's platform plus a foreign one).</summary>
    public bool NestedIndex { get; set; }
    /// <summary>The layer whose blob is replaced by different bytes (same uncompressed tar when compressed) under the old digest.</summary>
    public int? TamperBlobOfLayer { get; set; }
    /// <summary>The layer whose rootfs.diff_ids entry is wrong.</summary>
    public int? WrongDiffIdOfLayer { get; set; }
    public List<string> Env { get; } = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];
    public List<string> Cmd { get; } = ["/bin/sh"];
    public List<string>? Entrypoint { get; set; }
    public string? WorkingDir { get; set; }
    public string? User { get; set; }
    public string? StopSignal { get; set; }
    /// <summary>config.Labels, written when there are any.</summary>
    public Dictionary<string, string> Labels { get; } = [];
    /// <summary>The config's Volumes (a Dockerfile's VOLUME): each path a container gets an anonymous volume at.</summary>
    public List<string> Volumes { get; } = [];
    public string Architecture { get; set; } = MachineArchitecture;

    public ImageArchiveBuilder AddLayer(byte[] uncompressedTar)
    {
        _layers.Add(uncompressedTar);
        return this;
    }

    public ImageArchiveBuilder WithName(string name)
    {
        Names.Add(name);
        return this;
    }

    /// <summary>The DiffIDs of the layers, bottom first (sha256 of each uncompressed tar).</summary>
    public IReadOnlyList<string> DiffIds => _layers.Select(Sha256).ToList();

    /// <summary>The config blob as written (its sha256 is the image ID).</summary>
    public byte[] ConfigBytes
    {
        get
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("created", "2024-01-01T00:00:00Z");
                json.WriteString("architecture", Architecture);
                json.WriteString("os", "linux");
                json.WriteStartObject("config");
                WriteArray(json, "Env", Env);
                WriteArray(json, "Cmd", Cmd);
                if (Entrypoint is not null) WriteArray(json, "Entrypoint", Entrypoint);
                if (WorkingDir is not null) json.WriteString("WorkingDir", WorkingDir);
                if (User is not null) json.WriteString("User", User);
                if (StopSignal is not null) json.WriteString("StopSignal", StopSignal);
                if (Labels.Count > 0)
                {
                    json.WriteStartObject("Labels");
                    foreach ((string name, string value) in Labels) json.WriteString(name, value);
                    json.WriteEndObject();
                }
                if (Volumes.Count > 0)
                {
                    json.WriteStartObject("Volumes");
                    foreach (string volume in Volumes)
                    {
                        json.WriteStartObject(volume);
                        json.WriteEndObject();
                    }
                    json.WriteEndObject();
                }
                json.WriteEndObject();
                json.WriteStartObject("rootfs");
                json.WriteString("type", "layers");
                List<string> diffIds = DiffIds.ToList();
                if (WrongDiffIdOfLayer is { } wrong) diffIds[wrong] = Sha256(Encoding.UTF8.GetBytes("not this layer"));
                WriteArray(json, "diff_ids", diffIds);
                json.WriteEndObject();
                json.WriteStartArray("history");
                for (int i = 0; i < _layers.Count; i++)
                {
                    json.WriteStartObject();
                    json.WriteString("created", "2024-01-01T00:00:00Z");
                    json.WriteString("created_by", $"fixture layer {i}");
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            return buffer.ToArray();
        }
    }

    /// <summary>The image ID the store must give this image.</summary>
    public string ImageId => Sha256(ConfigBytes);

    /// <summary>Writes the image as <paramref name="format"/> to <paramref name="path"/> (a directory for <see cref="ArchiveFormat.OciLayout"/>).</summary>
    public void Write(ArchiveFormat format, string path)
    {
        SortedDictionary<string, byte[]> files = format switch
        {
            ArchiveFormat.DockerSaveLegacy => DockerSaveLegacyFiles(),
            ArchiveFormat.DockerSave => DockerSaveFiles(),
            _ => OciLayoutFiles(out _),
        };
        if (format == ArchiveFormat.OciLayout) WriteDirectory(files, path);
        else WriteTar(files, path);
    }

    private SortedDictionary<string, byte[]> DockerSaveLegacyFiles()
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        byte[] config = ConfigBytes;
        string configName = Hex(config) + ".json";
        files[configName] = config;
        var layerNames = new List<string>();
        string parent = "";
        for (int i = 0; i < _layers.Count; i++)
        {
            // moby's v1 IDs are derived from the chain; any deterministic 64-hex works for the loader.
            string v1Id = Hex(Encoding.UTF8.GetBytes(parent + DiffIds[i]));
            byte[] blob = LayerBlob(i);
            files[$"{v1Id}/layer.tar"] = TamperBlobOfLayer == i ? Tampered(blob) : blob;
            files[$"{v1Id}/VERSION"] = Encoding.UTF8.GetBytes("1.0");
            files[$"{v1Id}/json"] = Encoding.UTF8.GetBytes($"{{\"id\":\"{v1Id}\"{(parent.Length > 0 ? $",\"parent\":\"{parent}\"" : "")}}}");
            layerNames.Add($"{v1Id}/layer.tar");
            parent = v1Id;
        }
        files["manifest.json"] = DockerManifest(configName, layerNames);
        return files;
    }

    private SortedDictionary<string, byte[]> DockerSaveFiles()
    {
        SortedDictionary<string, byte[]> files = OciLayoutFiles(out List<string> layerPaths);
        files["manifest.json"] = DockerManifest("blobs/sha256/" + Hex(ConfigBytes), layerPaths);
        return files;
    }

    private SortedDictionary<string, byte[]> OciLayoutFiles(out List<string> layerPaths)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        byte[] config = ConfigBytes;
        files["blobs/sha256/" + Hex(config)] = config;
        layerPaths = [];
        var layerDescriptors = new List<(string MediaType, string Digest, long Size)>();
        for (int i = 0; i < _layers.Count; i++)
        {
            byte[] blob = LayerBlob(i);
            string path = "blobs/sha256/" + Hex(blob);
            byte[] stored = TamperBlobOfLayer == i ? Tampered(blob) : blob;
            files[path] = stored;
            layerPaths.Add(path);
            layerDescriptors.Add((LayerMediaType, "sha256:" + Hex(blob), stored.Length));
        }
        byte[] manifest = Json(json =>
        {
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", OciManifestType);
            json.WriteStartObject("config");
            WriteDescriptor(json, OciConfigType, "sha256:" + Hex(config), config.Length);
            json.WriteEndObject();
            json.WriteStartArray("layers");
            foreach (var (mediaType, digest, size) in layerDescriptors)
            {
                json.WriteStartObject();
                WriteDescriptor(json, mediaType, digest, size);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
        files["blobs/sha256/" + Hex(manifest)] = manifest;
        (string type, byte[] top) = (OciManifestType, manifest);
        if (NestedIndex)
        {
            byte[] foreign = Json(json => { json.WriteNumber("schemaVersion", 2); json.WriteString("mediaType", OciManifestType); });
            files["blobs/sha256/" + Hex(foreign)] = foreign;
            byte[] index = Json(json =>
            {
                json.WriteNumber("schemaVersion", 2);
                json.WriteString("mediaType", OciIndexType);
                json.WriteStartArray("manifests");
                WritePlatformEntry(json, foreign, Architecture == "s390x" ? "ppc64le" : "s390x");
                WritePlatformEntry(json, manifest, Architecture);
                json.WriteEndArray();
            });
            files["blobs/sha256/" + Hex(index)] = index;
            (type, top) = (OciIndexType, index);
        }
        files["index.json"] = Json(json =>
        {
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", OciIndexType);
            json.WriteStartArray("manifests");
            json.WriteStartObject();
            WriteDescriptor(json, type, "sha256:" + Hex(top), top.Length);
            WriteNameAnnotations(json);
            json.WriteEndObject();
            json.WriteEndArray();
        });
        files["oci-layout"] = Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}");
        return files;
    }

    private void WriteNameAnnotations(Utf8JsonWriter json)
    {
        if (Names.Count == 0) return;
        string name = Names[0];
        string tag = name.Contains(':') ? name[(name.LastIndexOf(':') + 1)..] : "latest";
        json.WriteStartObject("annotations");
        switch (OciNames)
        {
            case OciNameStyle.ContainerdAnnotation:
                json.WriteString("io.containerd.image.name", name);
                json.WriteString("org.opencontainers.image.ref.name", tag);
                break;
            case OciNameStyle.FullRefName:
                json.WriteString("org.opencontainers.image.ref.name", name);
                break;
            case OciNameStyle.BareTagRefName:
                json.WriteString("org.opencontainers.image.ref.name", tag);
                break;
        }
        json.WriteEndObject();
    }

    private static void WritePlatformEntry(Utf8JsonWriter json, byte[] manifest, string architecture)
    {
        json.WriteStartObject();
        WriteDescriptor(json, OciManifestType, "sha256:" + Hex(manifest), manifest.Length);
        json.WriteStartObject("platform");
        json.WriteString("architecture", architecture);
        json.WriteString("os", "linux");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private byte[] DockerManifest(string config, List<string> layers) => JsonArray(json =>
    {
        json.WriteStartObject();
        json.WriteString("Config", config);
        if (Names.Count > 0) WriteArray(json, "RepoTags", Names);
        else json.WriteNull("RepoTags");
        WriteArray(json, "Layers", layers);
        json.WriteEndObject();
    });

    private string LayerMediaType => Compression switch
    {
        LayerCompression.Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
        LayerCompression.Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        _ => "application/vnd.oci.image.layer.v1.tar",
    };

    private byte[] LayerBlob(int i) => Compress(_layers[i], Compression);

    public static byte[] Compress(byte[] data, LayerCompression compression)
    {
        switch (compression)
        {
            case LayerCompression.Gzip:
                using (var buffer = new MemoryStream())
                {
                    using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(data);
                    return buffer.ToArray();
                }
            case LayerCompression.Zstd:
                using (var compressor = new ZstdSharp.Compressor(3)) return compressor.Wrap(data).ToArray();
            default:
                return data;
        }
    }

    /// <summary>
    /// Different bytes, same uncompressed content where the format allows: gzip gets an empty second member (RFC 1952
    /// allows several), zstd a skippable frame; an uncompressed tar gets one changed byte in its end-of-archive block.
    /// </summary>
    private byte[] Tampered(byte[] blob) => Compression switch
    {
        LayerCompression.Gzip => [.. blob, .. EmptyGzipMember],
        LayerCompression.Zstd => [.. blob, 0x50, 0x2A, 0x4D, 0x18, 4, 0, 0, 0, 1, 2, 3, 4],
        _ => [.. blob[..^1], (byte)(blob[^1] ^ 0xFF)],
    };

    /// <summary>RFC 1952 header, an empty final deflate block (RFC 1951: 03 00), CRC32 0 and size 0.</summary>
    private static readonly byte[] EmptyGzipMember = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static void WriteDescriptor(Utf8JsonWriter json, string mediaType, string digest, long size)
    {
        json.WriteString("mediaType", mediaType);
        json.WriteString("digest", digest);
        json.WriteNumber("size", size);
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static byte[] JsonArray(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            body(json);
            json.WriteEndArray();
        }
        return buffer.ToArray();
    }

    private static void WriteDirectory(SortedDictionary<string, byte[]> files, string directory)
    {
        foreach ((string name, byte[] content) in files)
        {
            string path = Path.Combine(directory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
        }
    }

    /// <summary>A ustar/PAX archive with fixed times and owners, as docker save writes (files only, sorted).</summary>
    public static void WriteTar(SortedDictionary<string, byte[]> files, string path)
    {
        using var output = File.Create(path);
        using var writer = new TarWriter(output, TarEntryFormat.Pax);
        foreach ((string name, byte[] content) in files)
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
            {
                Mode = (UnixFileMode)0x1A4,
                ModificationTime = LayerTar.FixedTime,
                DataStream = new MemoryStream(content),
            });
        }
    }

    public static string Sha256(byte[] data) => "sha256:" + Hex(data);

    private static string Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>This machine's architecture as OCI platforms spell it (GOARCH).</summary>
    public static string MachineArchitecture => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        var other => other.ToString().ToLowerInvariant(),
    };
}
