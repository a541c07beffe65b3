using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;
using MiniRun.Native;

namespace MiniRun.Layers;

/// <summary>
/// A sha256 over an unpacked layer tree (each entry's path, type, mode, owner, link target, device number and, for a
/// regular file, its size and the hash of its content, in ordinal path order). The DiffID is the hash of the tar,
/// which an unpacked tree cannot reproduce; this is recorded when the layer is published so that `system check` can
/// tell whether its files changed since. Symlinks are read, never followed.
/// Each file's content is hashed on its own, so the unpacker hashes it as it streams by and publishing walks only the
/// metadata instead of reading the layer back. That hash is XXH128, not sha256: it guards against accidents, not
/// against someone who can write the store (they could rewrite this record too), and a second sha256 of every byte
/// would cost a load as much as the DiffID does. Records written before (a bare "sha256:…", hashing the contents
/// inline) are still verified by their own rule.
/// </summary>
public static class LayerTreeDigest
{
    private const string Prefix = "tree-v2:sha256:"; // over the listing; each file's content by XXH128
    private const string LegacyPrefix = "sha256:";

    /// <summary>
    /// The digest of the tree at <paramref name="root"/>. <paramref name="unpacked"/> (by relative path: the regular
    /// files as the unpacker left them) spares reading and stat-ing those files: a file is taken from it when readdir
    /// shows a regular file with the recorded inode there. Every other entry is looked at on disk.
    /// </summary>
    public static string Compute(string root, IReadOnlyDictionary<string, UnpackedFile>? unpacked = null) =>
        Prefix + new Walk(root, unpacked, inlineContent: false).Run();

    /// <summary>The hash of one file's content, as <see cref="UnpackedFile.ContentDigest"/> holds it.</summary>
    public static NonCryptographicHashAlgorithm NewContentHash() => new XxHash128();

    /// <summary>True when the tree at <paramref name="root"/> still has the recorded digest, in whichever format it was recorded.</summary>
    public static bool Matches(string root, string recorded)
    {
        if (recorded.StartsWith(Prefix, StringComparison.Ordinal)) return Compute(root) == recorded;
        return recorded.StartsWith(LegacyPrefix, StringComparison.Ordinal) &&
               LegacyPrefix + new Walk(root, null, inlineContent: true).Run() == recorded;
    }

    /// <summary>
    /// One pass over the tree: each directory is opened once and its entries looked at relative to it. Lines gather
    /// in a buffer that is hashed when full (the digest of the concatenation is the same), so a small entry costs no
    /// allocation and no call into the hash library of its own.
    /// </summary>
    private sealed class Walk(string root, IReadOnlyDictionary<string, UnpackedFile>? unpacked, bool inlineContent)
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly byte[] _pending = new byte[1 << 16];
        private int _pendingLength;
        private byte[]? _readBuffer;

        public string Run()
        {
            using (_hash)
            {
                FileStatus status = Syscalls.LStat(root);
                AppendLine(".", status);
                if (status.IsDirectory)
                    using (NativeDirectory directory = NativeDirectory.Open(root)) AppendChildren(directory, "");
                Append("\n"u8);
                _hash.AppendData(_pending, 0, _pendingLength);
                return Convert.ToHexStringLower(_hash.GetHashAndReset());
            }
        }

        private void AppendChildren(NativeDirectory directory, string prefix)
        {
            List<DirectoryEntry> entries = directory.ReadEntries();
            entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (DirectoryEntry entry in entries)
            {
                string name = entry.Name, relative = prefix + name;
                UnpackedFile? known = entry.IsRegular && unpacked?.GetValueOrDefault(relative) is { } file &&
                                      file.Status.Inode == entry.Inode ? file : null;
                FileStatus status = known?.Status ?? directory.LStat(name);
                AppendLine(relative, status);
                if (status.IsSymlink)
                {
                    AppendText(directory.ReadLink(name));
                }
                else if (status.IsRegular)
                {
                    AppendText(status.Size.ToString(CultureInfo.InvariantCulture));
                    if (inlineContent) ReadContent(directory, name, null);
                    else Append(known?.ContentDigest ?? HashContent(directory, name));
                }
                else if (status.IsDirectory)
                {
                    using NativeDirectory child = directory.OpenDirectory(name);
                    AppendChildren(child, relative + "/");
                }
                Append("\n"u8);
            }
        }

        private void AppendLine(string relative, FileStatus status)
        {
            Span<byte> line = stackalloc byte[512];
            if (Utf8.TryWrite(line, CultureInfo.InvariantCulture,
                    $"{relative}\0{status.Mode:x}\0{status.Uid}\0{status.Gid}\0{status.RdevMajor}:{status.RdevMinor}\0", out int written))
                Append(line[..written]);
            else
                AppendText(string.Create(CultureInfo.InvariantCulture,
                    $"{relative}\0{status.Mode:x}\0{status.Uid}\0{status.Gid}\0{status.RdevMajor}:{status.RdevMinor}\0"));
        }

        private void AppendText(string text) => Append(Encoding.UTF8.GetBytes(text));

        private void Append(ReadOnlySpan<byte> bytes)
        {
            if (_pendingLength + bytes.Length > _pending.Length)
            {
                _hash.AppendData(_pending, 0, _pendingLength);
                _pendingLength = 0;
                if (bytes.Length > _pending.Length)
                {
                    _hash.AppendData(bytes);
                    return;
                }
            }
            bytes.CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += bytes.Length;
        }

        private byte[] HashContent(NativeDirectory directory, string name)
        {
            NonCryptographicHashAlgorithm content = NewContentHash();
            ReadContent(directory, name, content);
            return content.GetHashAndReset();
        }

        /// <summary>Feeds the file's bytes to <paramref name="separately"/>, or inline into the tree's own hash when null.</summary>
        private void ReadContent(NativeDirectory directory, string name, NonCryptographicHashAlgorithm? separately)
        {
            _readBuffer ??= new byte[1 << 16];
            using SafeFileHandle file = directory.OpenFile(name);
            long offset = 0;
            for (int n; (n = RandomAccess.Read(file, _readBuffer, offset)) > 0; offset += n)
            {
                if (separately is null) Append(_readBuffer.AsSpan(0, n));
                else separately.Append(_readBuffer.AsSpan(0, n));
            }
        }
    }
}
