namespace MiniRun.Images.Registry;

/// <summary>A manifest or index as the registry sent it: the exact bytes (their sha256 is its digest) and its media type.</summary>
public sealed record RegistryManifest(byte[] Bytes, string? MediaType, Digest Digest);
