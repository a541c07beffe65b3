namespace MiniRun.Images;

/// <summary>
/// An image in the store: its ID (the digest of its config blob, as Docker's image ID), its layers bottom first
/// (DiffIDs, each a directory in the layer store), its parsed config and the names that point at it.
/// </summary>
public sealed record ImageRecord(Digest Id, IReadOnlyList<Digest> DiffIds, ImageConfig Config, IReadOnlyList<string> Names, long Size);
