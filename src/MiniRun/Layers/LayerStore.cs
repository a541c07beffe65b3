using MiniRun.Explain;
using System.Security.Cryptography;
using MiniRun.Native;
using MiniRun.Store;

namespace MiniRun.Layers;

/// <summary>
/// Content-addressed layer directories, laid out like moby's overlay2: <c>layers/&lt;diffid-hex&gt;/diff</c> (the files),
/// <c>layers/&lt;hex&gt;/link</c> (the short id), <c>layers/&lt;hex&gt;/size</c> and <c>layers/&lt;hex&gt;/tar-split</c> (the tar
/// less its file data, for `save`), plus <c>l/&lt;SHORTID&gt;</c> →
/// <c>../layers/&lt;hex&gt;/diff</c>. A layer is unpacked once into <c>tmp/</c> and published by an atomic rename, so a
/// reader sees either nothing or the complete, verified layer; every image with that layer shares the one directory.
/// </summary>
/// <param name="sys">the seam for the whiteouts and the publishing (--explain shows unpacking, whiteouts and publishing as shell commands).</param>
public sealed class LayerStore(StorePaths paths, ISyscalls? sys = null)
{
    private const int ShortIdLength = 26; // moby: base32 of 16 random bytes
    private const string ShortIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string LinkFile = "link", SizeFile = "size", DiffDirectory = "diff", TreeFile = "tree";
    internal const string TarSplitFile = "tar-split";

    public StorePaths Paths { get; } = paths;

    private ISyscalls Sys { get; } = sys ?? LinuxSyscalls.Instance;

    /// <summary>The layers' full trees, for a store whose driver keeps them (vfs); null for overlay, which stacks <c>diff/</c> directories.</summary>
    public LayerTrees? Trees => _trees ??= TreeCloners.For(Paths.Driver) is { } cloner ? new LayerTrees(this, cloner) : null;

    private LayerTrees? _trees;

    /// <summary>Makes the full trees of an image's layers that are missing (vfs), so that its containers are a clone away.</summary>
    public void EnsureTrees(IReadOnlyList<Digest> diffIds) => Trees?.Ensure(Sys, diffIds);

    /// <summary>The layer with this DiffID, or null when it is not in the store.</summary>
    public Layer? TryGet(Digest diffId)
    {
        if (TryShortLink(diffId) is not { } shortLink) return null;
        string directory = LayerDirectory(diffId);
        long size = long.TryParse(ReadOrEmpty(Path.Combine(directory, SizeFile)), out long n) ? n : 0;
        return new Layer(diffId, directory, shortLink, size);
    }

    /// <summary>
    /// The layer's short link (<c>l/SHORTID</c>), reading nothing else, or null when the layer is not in the store.
    /// A run asks for each of up to 128 layers twice (the check before it creates the container, the overlay's
    /// lowerdir), so a link once read is remembered until <see cref="Remove"/> takes the layer away.
    /// </summary>
    public string? TryShortLink(Digest diffId)
    {
        if (_shortLinks.TryGetValue(diffId, out string? known)) return known;
        string? shortId = KernelFiles.TryReadFirstLine(Path.Combine(LayerDirectory(diffId), LinkFile));
        return shortId is null ? null : _shortLinks[diffId] = "l/" + shortId;
    }

    /// <summary>As <see cref="TryShortLink"/>; a <see cref="NotFoundException"/> when the layer is absent.</summary>
    public string ShortLink(Digest diffId) => TryShortLink(diffId) ?? throw new NotFoundException($"layer {diffId} is not in the store");

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Digest, string> _shortLinks = new();

    /// <summary>The layer with this DiffID; a <see cref="NotFoundException"/> when absent.</summary>
    public Layer Get(Digest diffId) => TryGet(diffId) ?? throw new NotFoundException($"layer {diffId} is not in the store");

    /// <summary>
    /// Unpacks an uncompressed layer tar into a temporary directory, checks that its sha256 equals
    /// <paramref name="expectedDiffId"/> (when given), and publishes it by rename. When the layer is already
    /// present the stream is only drained and verified. <paramref name="source"/> names the input in errors.
    /// </summary>
    /// <param name="decompressing">The tar comes out of a decompressor, which then gets a thread of its own.</param>
    public Layer Add(Stream uncompressedTar, Digest? expectedDiffId, string source, bool decompressing = false)
    {
        Paths.EnsureCreated();
        // The DiffID hash and the tar parsing run on the unpacker's reader thread, the file writes on this one. A
        // decompressor gets a third (ReadAheadStream); for a plain tar, measured on 2 cores, the extra hand-offs cost
        // more than they save.
        using ReadAheadStream? decompressedAhead = decompressing ? new ReadAheadStream(uncompressedTar) : null;
        using var hashing = new HashingStream(decompressedAhead ?? uncompressedTar, leaveOpen: true);
        if (expectedDiffId is { } expected && TryGet(expected) is { } present)
        {
            Verify(hashing.Finish(), expected, source);
            return present;
        }
        // Two loads of one layer: the second waits here and then only verifies its copy, so the layer is unpacked once.
        using LayerUnpackLock? unpackLock = expectedDiffId is { } awaited ? LayerUnpackLock.Acquire(Paths, awaited) : null;
        if (expectedDiffId is { } again && TryGet(again) is { } publishedMeanwhile)
        {
            Verify(hashing.Finish(), again, source);
            return publishedMeanwhile;
        }

        string temp = Paths.NewTempDirectory("layer");
        bool published = false;
        try
        {
            string diff = Path.Combine(temp, DiffDirectory);
            Syscalls.MakeDirectory(diff, 0x1ED);
            Syscalls.Chmod(diff, 0x1ED); // 0755 whatever the umask; a "./" entry may change it
            Sys.Describe($"mkdir -p {ShellQuote.Quote(diff)} && tar -x -C {ShellQuote.Quote(diff)}   # < {source}",
                "a layer is unpacked once, into tmp/ first, keeping owners, modes and xattrs; its sha256 must be the DiffID", alreadyDone: false);
            var unpacker = new LayerUnpacker(diff, source, Sys);
            long size;
            using (var split = new TarSplitWriter(new FileStream(Path.Combine(temp, TarSplitFile), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16)))
                size = unpacker.Unpack(hashing, split);
            Digest diffId = hashing.Finish();
            CrashPoint.Reach("layer-unpacked");
            if (expectedDiffId is { } wanted) Verify(diffId, wanted, source);
            if (TryGet(diffId) is { } existing) return existing;

            string shortId = NewShortId();
            File.WriteAllText(Path.Combine(temp, LinkFile), shortId);
            File.WriteAllText(Path.Combine(temp, SizeFile), size.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // What `system check` verifies; the unpacker hashed and stat-ed each file as it wrote it, so only the
            // directories, symlinks and devices are looked at here.
            File.WriteAllText(Path.Combine(temp, TreeFile), LayerTreeDigest.Compute(diff, unpacker.Files));
            // The short link is made first (dangling for an instant) so that the rename is the single publishing step.
            string link = Path.Combine(Paths.Links, shortId);
            Sys.Explain("the short l/ link keeps overlay's lowerdir short (dangling until the rename)");
            Sys.Symlink($"../layers/{diffId.Hex}/{DiffDirectory}", link);
            CrashPoint.Reach("layer-linked");
            try
            {
                Sys.Explain("publish the layer with one rename: a reader sees all of it or nothing");
                published = Sys.RenameNoReplace(temp, LayerDirectory(diffId));
                if (published) CrashPoint.Reach("layer-published");
            }
            finally
            {
                if (!published) Syscalls.Unlink(link);
            }
            // Another process published the same layer first: theirs is as good as ours.
            return published ? new Layer(diffId, LayerDirectory(diffId), "l/" + shortId, size) : Get(diffId);
        }
        finally
        {
            if (!published) DeleteTreeAfterFailure(temp);
        }
    }

    /// <summary>Every layer in the store (directories without a link file are incomplete and skipped).</summary>
    public IEnumerable<Layer> List()
    {
        if (!Directory.Exists(Paths.Layers)) yield break;
        foreach (string directory in Directory.EnumerateDirectories(Paths.Layers).Order(StringComparer.Ordinal))
        {
            if (!Digest.TryParse("sha256:" + Path.GetFileName(directory), out Digest diffId)) continue;
            if (TryGet(diffId) is { } layer) yield return layer;
        }
    }

    /// <summary>
    /// Deletes the layer: first renamed into tmp/ (so it vanishes at once), then its short link, then the tree
    /// (whiteout devices, odd modes and symlinks included; symlinks are deleted, never followed).
    /// </summary>
    public void Remove(Digest diffId)
    {
        Layer layer = Get(diffId);
        Paths.EnsureCreated();
        string doomed = Path.Combine(Paths.Temp, $"remove-{diffId.Hex[..12]}-{Guid.NewGuid():N}");
        if (!Syscalls.TryRenameNoReplace(layer.Directory, doomed))
            throw new MiniRunException($"cannot remove layer {diffId}: {doomed} exists");
        _shortLinks.TryRemove(diffId, out _);
        string link = Path.Combine(Paths.Root, layer.ShortLink);
        if (Syscalls.TryLStat(link) is { IsSymlink: true }) Syscalls.Unlink(link);
        DeleteTree(doomed);
    }

    /// <summary>
    /// True when the layer's files still hash to the tree digest recorded at publishing; null for a layer stored
    /// without one (by an older minirun), which cannot be checked.
    /// </summary>
    public bool? VerifyContent(Layer layer)
    {
        string recorded = ReadOrEmpty(Path.Combine(layer.Directory, TreeFile));
        if (recorded.Length == 0) return null;
        return Syscalls.TryLStat(layer.DiffPath) is { IsDirectory: true } && LayerTreeDigest.Matches(layer.DiffPath, recorded);
    }

    /// <summary>The short link's name under l/, or null when the layer directory has no link file (never published).</summary>
    public string? ShortIdOf(string layerDirectory)
    {
        string id = ReadOrEmpty(Path.Combine(layerDirectory, LinkFile));
        return id.Length == 0 ? null : id;
    }

    /// <summary>Recreates a layer's missing or wrong short link (what `system check --repair` does).</summary>
    public void RelinkShortId(Layer layer)
    {
        string link = Path.Combine(Paths.Root, layer.ShortLink);
        if (Syscalls.TryLStat(link) is not null) Syscalls.Unlink(link);
        Syscalls.Symlink($"../layers/{layer.DiffId.Hex}/{DiffDirectory}", link);
    }

    /// <summary>What l/&lt;short&gt; must point at for this layer.</summary>
    public static string ShortLinkTarget(Digest diffId) => $"../layers/{diffId.Hex}/{DiffDirectory}";

    private string LayerDirectory(Digest diffId) => Path.Combine(Paths.Layers, diffId.Hex);

    private static void Verify(Digest actual, Digest expected, string source)
    {
        if (actual != expected)
            throw new InvalidInputException($"{source}: layer content has DiffID {actual}, but {expected} was expected");
    }

    private static string NewShortId() => new(RandomNumberGenerator.GetItems<char>(ShortIdAlphabet, ShortIdLength));

    private static string ReadOrEmpty(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (FileNotFoundException) { return ""; }
    }

    /// <summary>Cleanup on the error path must not hide the error that got us here.</summary>
    private static void DeleteTreeAfterFailure(string path)
    {
        try { DeleteTree(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or MiniRunException) { }
    }

    private static void DeleteTree(string path)
    {
        if (Syscalls.TryLStat(path) is { IsDirectory: true }) Directory.Delete(path, recursive: true);
    }
}
