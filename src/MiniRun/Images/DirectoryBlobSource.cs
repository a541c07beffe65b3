namespace MiniRun.Images;

/// <summary>An image source that is a directory (an OCI image layout, or an unpacked docker save).</summary>
public sealed class DirectoryBlobSource(string directory) : BlobSource
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public override string Description => $"directory \"{Directory}\"";

    public override bool Contains(string name) => Resolve(name) is { } path && File.Exists(path);

    public override long Length(string name) =>
        Resolve(name) is { } path && new FileInfo(path) is { Exists: true } info ? info.Length : throw Missing(name);

    public override Stream Open(string name)
    {
        string path = Resolve(name) ?? throw Missing(name);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Missing(name);
        }
    }

    /// <summary>Only paths inside the directory: member names come from the (untrusted) manifests.</summary>
    private string? Resolve(string name) => Normalize(name) is { } relative ? Path.Combine(Directory, relative) : null;
}
