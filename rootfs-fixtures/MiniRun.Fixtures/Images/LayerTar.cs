using System.Formats.Tar;
using System.Text;

namespace MiniRun.Fixtures.Images;

/// <summary>Small, deterministic layer tars for image fixtures (fixed times and owners, directories before their files).</summary>
public static class LayerTar
{
    public static readonly DateTimeOffset FixedTime = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A tar of regular files (path → text content); parent directories are added as needed.</summary>
    public static byte[] Files(params (string Path, string Content)[] files)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            var directories = new HashSet<string>(StringComparer.Ordinal);
            foreach ((string path, string content) in files)
            {
                string[] parts = path.Split('/');
                for (int i = 1; i < parts.Length; i++)
                {
                    string dir = string.Join('/', parts[..i]) + "/";
                    if (!directories.Add(dir)) continue;
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, dir) { Mode = (UnixFileMode)0x1ED, ModificationTime = FixedTime });
                }
                var entry = new PaxTarEntry(TarEntryType.RegularFile, path)
                {
                    Mode = (UnixFileMode)0x1A4,
                    ModificationTime = FixedTime,
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                };
                writer.WriteEntry(entry);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>A tar holding a whiteout for <paramref name="path"/> (OCI image-spec layer.md: ".wh." + name).</summary>
    public static byte[] Whiteout(string path)
    {
        string dir = Path.GetDirectoryName(path)?.Replace('\\', '/') ?? "";
        string name = (dir.Length > 0 ? dir + "/" : "") + ".wh." + Path.GetFileName(path);
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0x1A4, ModificationTime = FixedTime });
        return buffer.ToArray();
    }
}
