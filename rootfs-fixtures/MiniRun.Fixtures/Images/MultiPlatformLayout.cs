using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniRun.Fixtures.Images;

/// <summary>
/// An OCI layout whose one entry is a multi-platform index: an image per architecture (each written by an
/// <see cref="ImageArchiveBuilder"/>) plus, like buildx, an attestation manifest with platform unknown/unknown.
/// </summary>
public static class MultiPlatformLayout
{
    private const string OciIndexType = "application/vnd.oci.image.index.v1+json";
    private const string OciManifestType = "application/vnd.oci.image.manifest.v1+json";

    /// <summary>Writes the layout to <paramref name="directory"/>; returns the index's digest.</summary>
    public static string Write(string directory, string scratch, params ImageArchiveBuilder[] images)
    {
        Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256"));
        var entries = new JsonArray();
        string? firstManifest = null;
        foreach (ImageArchiveBuilder image in images)
        {
            string single = Path.Combine(scratch, $"single-{image.Architecture}");
            image.Write(ArchiveFormat.OciLayout, single);
            foreach (string blob in Directory.EnumerateFiles(Path.Combine(single, "blobs", "sha256")))
                File.Copy(blob, Path.Combine(directory, "blobs", "sha256", Path.GetFileName(blob)), overwrite: true);
            JsonNode top = JsonNode.Parse(File.ReadAllText(Path.Combine(single, "index.json")))!["manifests"]![0]!;
            firstManifest ??= (string)top["digest"]!;
            entries.Add(new JsonObject
            {
                ["mediaType"] = OciManifestType,
                ["digest"] = (string)top["digest"]!,
                ["size"] = (long)top["size"]!,
                ["platform"] = new JsonObject { ["architecture"] = image.Architecture, ["os"] = "linux" },
            });
        }
        entries.Add(Attestation(directory, firstManifest!));
        byte[] index = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciIndexType,
            ["manifests"] = entries,
        }.ToJsonString());
        string indexDigest = WriteBlob(directory, index);
        File.WriteAllText(Path.Combine(directory, "index.json"), new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject { ["mediaType"] = OciIndexType, ["digest"] = indexDigest, ["size"] = index.Length }),
        }.ToJsonString());
        File.WriteAllText(Path.Combine(directory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return indexDigest;
    }

    /// <summary>buildx's shape: a manifest of in-toto layers, referring to the image it describes.</summary>
    private static JsonObject Attestation(string directory, string subject)
    {
        byte[] config = Encoding.UTF8.GetBytes("{}");
        byte[] statement = Encoding.UTF8.GetBytes("{\"_type\":\"https://in-toto.io/Statement/v0.1\"}");
        byte[] manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciManifestType,
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = WriteBlob(directory, config), ["size"] = config.Length },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.in-toto+json", ["digest"] = WriteBlob(directory, statement), ["size"] = statement.Length }),
        }.ToJsonString());
        return new JsonObject
        {
            ["mediaType"] = OciManifestType,
            ["digest"] = WriteBlob(directory, manifest),
            ["size"] = manifest.Length,
            ["annotations"] = new JsonObject { ["vnd.docker.reference.digest"] = subject, ["vnd.docker.reference.type"] = "attestation-manifest" },
            ["platform"] = new JsonObject { ["architecture"] = "unknown", ["os"] = "unknown" },
        };
    }

    private static string WriteBlob(string directory, byte[] content)
    {
        string hex = Convert.ToHexStringLower(SHA256.HashData(content));
        File.WriteAllBytes(Path.Combine(directory, "blobs", "sha256", hex), content);
        return "sha256:" + hex;
    }
}
