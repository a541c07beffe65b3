namespace MiniRun.Images.Registry;

/// <summary>
/// A registry repository as a <see cref="BlobSource"/>: <c>blobs/sha256/&lt;hex&gt;</c> is the blob, fetched when opened
/// and streamed, so the loader verifies and unpacks it as it arrives (no copy on disk first).
/// </summary>
internal sealed class RegistryBlobSource(RegistryClient client, string repository, IReadOnlyDictionary<Digest, long> sizes,
    Action<Digest, long>? onRead) : BlobSource
{
    public override string Description => $"{client.Name}: {repository}";

    public override bool Contains(string name) => DigestOf(name) is { } digest && sizes.ContainsKey(digest);

    public override long Length(string name) =>
        DigestOf(name) is { } digest && sizes.TryGetValue(digest, out long size) ? size : throw Missing(name);

    public override Stream Open(string name)
    {
        Digest digest = DigestOf(name) ?? throw Missing(name);
        return client.OpenBlob(digest, onRead is null ? null : read => onRead(digest, read));
    }

    private static Digest? DigestOf(string name) =>
        name.StartsWith("blobs/sha256/", StringComparison.Ordinal) && Digest.TryParse("sha256:" + name["blobs/sha256/".Length..], out Digest digest)
            ? digest
            : null;
}
