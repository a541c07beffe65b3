using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MiniRun.Native;

namespace MiniRun.Layers;

/// <summary>
/// A sha256 over an unpacked layer tree (each entry's path, type, mode, owner, link target, device number and file
/// content, in ordinal path order). The DiffID is the hash of the tar, which an unpacked tree cannot reproduce; this
/// is recorded when the layer is published so that `system check` can tell whether its files changed since.
/// Symlinks are read, never followed.
/// </summary>
public static class LayerTreeDigest
{
    public static string Compute(string root)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, root, ".");
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, string root, string relative)
    {
        string path = relative == "." ? root : Path.Combine(root, relative);
        FileStatus status = Syscalls.LStat(path);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{relative}\0{status.Mode:x}\0{status.Uid}\0{status.Gid}\0{status.RdevMajor}:{status.RdevMinor}\0");
        hash.AppendData(Encoding.UTF8.GetBytes(line));
        if (status.IsSymlink)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(new FileInfo(path).LinkTarget ?? ""));
        }
        else if (status.IsRegular)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            hash.AppendData(Encoding.UTF8.GetBytes(status.Size.ToString(CultureInfo.InvariantCulture)));
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = file.Read(buffer)) > 0;) hash.AppendData(buffer, 0, n);
        }
        else if (status.IsDirectory)
        {
            foreach (string child in Directory.EnumerateFileSystemEntries(path).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
                Append(hash, root, relative == "." ? child : Path.Combine(relative, child));
        }
        hash.AppendData("\n"u8);
    }
}
