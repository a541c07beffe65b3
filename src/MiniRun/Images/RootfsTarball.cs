using System.Text.Json;
using MiniRun.Layers;

namespace MiniRun.Images;

/// <summary>
/// <c>minirun import FILE NAME[:TAG]</c>: a flat root filesystem tar (<c>docker export</c>, Alpine's minirootfs) becomes a
/// one-layer image. As <c>docker import</c> does, the config is made here: linux, this machine's architecture,
/// rootfs.diff_ids = [sha256 of the uncompressed tar], created now, one history entry; its digest is the image ID.
/// </summary>
public static class RootfsTarball
{
    /// <summary>Unpacks the tarball (none/gzip/zstd/xz by magic bytes) into the layer store; the caller owns rollback.</summary>
    public static Layer AddLayer(LayerStore layers, string file)
    {
        string where = Where(file);
        using FileStream raw = OpenFile(file, where);
        return AddLayer(layers, raw, file);
    }

    /// <summary>As above, from a stream (<c>import -</c>): read once, front to back, never held whole in memory.</summary>
    public static Layer AddLayer(LayerStore layers, Stream raw, string displayName)
    {
        string where = Where(displayName);
        try
        {
            using Stream tar = Compression.Decompress(raw, out CompressionKind kind);
            return layers.Add(tar, null, where, decompressing: kind != CompressionKind.None);
        }
        catch (Exception e) when (ImageLoader.IsCorruptData(e))
        {
            throw new InvalidInputException($"{where}: corrupt or truncated ({UserMessages.Detail(e)})");
        }
    }

    private static string Where(string file) => $"root filesystem tarball \"{file}\"";

    /// <summary>The image config of a one-layer image made from <paramref name="diffId"/>, serialised as stored.</summary>
    public static byte[] CreateConfig(Digest diffId, string fileName, DateTimeOffset created)
    {
        var config = new ImageConfig
        {
            Created = created,
            Architecture = Platforms.Architecture,
            Os = "linux",
            Config = new ContainerConfig(),
            RootFs = new RootFs { DiffIds = [diffId.ToString()] },
            History = [new HistoryEntry { Created = created, CreatedBy = $"minirun import {fileName}", Comment = "Imported from " + fileName }],
        };
        return JsonSerializer.SerializeToUtf8Bytes(config, ImagesJsonContext.Default.ImageConfig);
    }

    private static FileStream OpenFile(string file, string where)
    {
        try
        {
            return new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NotFoundException($"{where}: no such file");
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(file))
        {
            throw new InvalidInputException(
                $"{where} is a directory; import takes a tar file or - for stdin: `tar -C {file} -c . | minirun import - NAME[:TAG]`");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{where}: permission denied: check its mode and owner (ls -l {file})");
        }
    }
}
