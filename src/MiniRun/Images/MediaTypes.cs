namespace MiniRun.Images;

/// <summary>Media types the readers tell apart. Layers are never judged by theirs: compression is found by magic bytes.</summary>
public static class MediaTypes
{
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    public const string DockerManifestSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string DockerManifestSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /// <summary>What a pull accepts, images before indexes (containerd's remotes/docker resolver sends the same four).</summary>
    public static readonly string[] ManifestAccept = [DockerManifest, DockerManifestList, OciManifest, OciIndex];

    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;
    public static bool IsManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;
}
