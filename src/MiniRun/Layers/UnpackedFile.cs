using MiniRun.Native;

namespace MiniRun.Layers;

/// <summary>
/// A regular file as the unpacker left it: its status (fstat after its last change; the unpacker never touches that
/// inode again) and the hash of the content it wrote (<see cref="LayerTreeDigest.NewContentHash"/>).
/// </summary>
public sealed record UnpackedFile(FileStatus Status, byte[] ContentDigest);
