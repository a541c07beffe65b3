namespace MiniRun.Images.Registry;

/// <summary>What a pull stored: the image, the digest its reference resolved to, and whether it was new to the store.</summary>
public sealed record PullResult(ImageRecord Image, Digest ManifestDigest, bool WasNew, int LayersDownloaded);
