using System.IO.Compression;
using MiniRun.Native;

namespace MiniRun.Layers;

/// <summary>
/// Gives back the tar a layer was loaded from: the bytes <see cref="TarSplitWriter"/> recorded, with each file's data
/// read from the unpacked layer, its name resolved inside the layer root as the unpacker resolved it. Whether the result
/// is that tar is the caller's to check (its sha256 against the DiffID): a file a later entry replaced is not there
/// any more (Docker's save fails on such a layer; the caller falls back to archiving the directory).
/// </summary>
public static class TarSplitAssembler
{
    /// <summary>Writes the tar to <paramref name="output"/>; false when a file it needs is missing or has changed length.</summary>
    public static bool TryWrite(Stream split, string layerRoot, Stream output)
    {
        using var reader = new BinaryReader(new DeflateStream(split, CompressionMode.Decompress), System.Text.Encoding.UTF8);
        using InRootTree tree = InRootTree.Open(layerRoot);
        byte[] buffer = new byte[1 << 16];
        while (true)
        {
            int kind = reader.BaseStream.ReadByte();
            if (kind < 0) return true;
            if (kind == TarSplitWriter.RawRecord)
            {
                int length = reader.Read7BitEncodedInt();
                for (int left = length; left > 0;)
                {
                    int n = reader.Read(buffer, 0, Math.Min(left, buffer.Length));
                    if (n == 0) throw new EndOfStreamException("tar-split record is truncated");
                    output.Write(buffer, 0, n);
                    left -= n;
                }
            }
            else if (kind == TarSplitWriter.DataRecord)
            {
                long size = reader.Read7BitEncodedInt64();
                tree.ReleaseForgotten(); // the cache's overflow: no directory of an earlier file is in use
                if (!TryCopyFile(tree, reader.ReadString(), size, output, buffer)) return false;
            }
            else
            {
                throw new InvalidDataException($"tar-split record of unknown kind {kind}");
            }
        }
    }

    private static bool TryCopyFile(InRootTree tree, string name, long size, Stream output, byte[] buffer)
    {
        if (!SafePath.TryNormalize(name, out string relative, out _) || relative.Length == 0) return false;
        InRootDirectory? parent = tree.TryOpenDirectory(SafePath.Parent(relative));
        using var file = parent?.TryOpenRegularFile(SafePath.FileName(relative));
        if (file is null) return false;
        using var input = new FileStream(file, FileAccess.Read, bufferSize: 0);
        if (input.Length != size) return false;
        for (long left = size; left > 0;)
        {
            int n = input.Read(buffer, 0, (int)Math.Min(left, buffer.Length));
            if (n == 0) return false;
            output.Write(buffer, 0, n);
            left -= n;
        }
        return true;
    }
}
