namespace MiniRun.Images;

/// <summary>
/// The files of an image source, by their path inside it (<c>manifest.json</c>, <c>blobs/sha256/…</c>):
/// an archive read in place (<see cref="TarArchiveIndex"/>) or a directory (<see cref="DirectoryBlobSource"/>).
/// Opened streams are independent, so layers can be read in parallel.
/// </summary>
public abstract class BlobSource : IDisposable
{
    /// <summary>What the source is, for messages: <c>archive "x.tar"</c>.</summary>
    public abstract string Description { get; }

    public abstract bool Contains(string name);

    /// <summary>The file's length in bytes; an <see cref="InvalidInputException"/> when it is missing.</summary>
    public abstract long Length(string name);

    /// <summary>A read-only stream of the file; an <see cref="InvalidInputException"/> when it is missing.</summary>
    public abstract Stream Open(string name);

    /// <summary>image-layout.md: a blob lives at <c>blobs/&lt;alg&gt;/&lt;encoded&gt;</c>.</summary>
    public static string BlobPath(Digest digest) => $"blobs/{digest.Algorithm}/{digest.Hex}";

    /// <summary>Reads a small JSON file whole (bounded), checking its digest when one is expected.</summary>
    public byte[] ReadJson(string name, Digest? expected = null)
    {
        string where = $"{Description}: {name}";
        if (Length(name) > ImageJson.MaxJsonBytes)
            throw new InvalidInputException($"{where}: larger than {ImageJson.MaxJsonBytes / (1024 * 1024)} MiB, refused as a JSON document");
        byte[] bytes;
        using (Stream stream = Open(name)) bytes = ImageJson.ReadBounded(stream, where);
        if (expected is { } digest)
        {
            Digest actual = Digest.Of(bytes);
            if (actual != digest) throw BlobDigestMismatch(name, actual, digest);
        }
        return bytes;
    }

    public InvalidInputException BlobDigestMismatch(string name, Digest actual, Digest expected) =>
        new($"{Description}: blob {name} has digest {actual}, expected {expected}");

    protected InvalidInputException Missing(string name) => new($"{Description}: has no file {name}");

    /// <summary>Normalises a member path: no leading "./" or "/", no empty or "." components; ".." is refused.</summary>
    public static string? Normalize(string name)
    {
        var parts = new List<string>();
        foreach (string part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..") return null;
            parts.Add(part);
        }
        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing) { }
}
