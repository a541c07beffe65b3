namespace MiniRun.Images;

/// <summary>
/// An image in the store: its ID (the digest of its config blob, as Docker's image ID), its layers bottom first
/// (DiffIDs, each a directory in the layer store), its parsed config and the names that point at it
/// (full normalised references, e.g. <c>docker.io/library/alpine:latest</c>; <see cref="ImageReference.FamiliarString"/> shortens them).
/// </summary>
public sealed record ImageRecord(Digest Id, IReadOnlyList<Digest> DiffIds, ImageConfig Config, IReadOnlyList<string> Names, long Size)
{
    /// <summary>When the image was added to this store.</summary>
    public DateTimeOffset Added { get; init; }

    /// <summary>"repository@sha256:manifest-digest" for each manifest this image was loaded from (for name@digest references).</summary>
    public IReadOnlyList<string> RepoDigests { get; init; } = [];

    /// <summary>Docker's short ID: the first 12 hex digits.</summary>
    public string ShortId => Id.Hex[..12];
}
