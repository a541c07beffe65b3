namespace MiniRun.Images;

/// <summary>What a removal did, for the CLI to print as docker rmi does ("Untagged: …", "Deleted: …").</summary>
public sealed record ImageRemoval(Digest Id, IReadOnlyList<string> Untagged, bool Deleted, IReadOnlyList<Digest> DeletedLayers);
