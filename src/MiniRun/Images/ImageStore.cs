using System.Text.Json;
using System.Text.RegularExpressions;
using MiniRun.Layers;
using MiniRun.Native;
using MiniRun.Store;

namespace MiniRun.Images;

/// <summary>
/// Image records and the names that point at them. <c>images/&lt;id-hex&gt;/config.json</c> holds the config blob
/// byte for byte (its sha256 is the image ID, as Docker's) and <c>image.json</c> what else the store knows;
/// <c>repositories.json</c> maps each full name (<c>docker.io/library/alpine:latest</c>) to an image ID.
/// An image directory is published by rename, and repositories.json is replaced atomically under a flock.
/// </summary>
public sealed partial class ImageStore(StorePaths paths, LayerStore layers)
{
    private const string ConfigFile = "config.json";
    private const string MetadataFile = "image.json";
    private const int MinimumPrefix = 4;

    public StorePaths Paths { get; } = paths;
    public LayerStore Layers { get; } = layers;

    private string LockPath => Path.Combine(Paths.Root, "repositories.lock");
    private string ImageDirectory(Digest id) => Path.Combine(Paths.Images, id.Hex);

    /// <summary>By name ("minibox", "minibox:latest", "docker.io/library/minibox:latest", "name@sha256:…"), full ID or unique ID prefix (≥ 4 hex).</summary>
    public ImageRecord? TryResolve(string reference)
    {
        if (Digest.TryParse(reference, out Digest id)) return TryGet(id);
        if (ImageReference.TryParse(reference, out ImageReference? name))
        {
            if (name.Digest is { } manifestDigest)
            {
                string repoDigest = $"{name.Repository}@{manifestDigest}";
                return List().FirstOrDefault(image => image.RepoDigests.Contains(repoDigest));
            }
            SortedDictionary<string, string> repositories = ReadRepositories(); // read once: the record's names come from it too
            if (repositories.TryGetValue(name.ToString(), out string? target) && Digest.TryParse(target, out Digest named)
                && TryRead(named, repositories) is { } image)
                return image;
        }
        Match prefix = IdPrefix().Match(reference);
        if (!prefix.Success || prefix.Groups[1].Length < MinimumPrefix) return null;
        string hex = prefix.Groups[1].Value;
        List<string> matches = ImageIds().Where(h => h.StartsWith(hex, StringComparison.Ordinal)).ToList();
        if (matches.Count > 1) throw new InvalidInputException($"image ID prefix \"{reference}\" is ambiguous: it matches {matches.Count} images");
        return matches.Count == 1 ? TryGet(Digest.Parse("sha256:" + matches[0], "image store")) : null;
    }

    public ImageRecord Resolve(string reference) =>
        TryResolve(reference) ?? throw new NotFoundException($"No such image: {reference}");

    /// <summary>Every image, newest first, with its names.</summary>
    public IReadOnlyList<ImageRecord> List()
    {
        SortedDictionary<string, string> repositories = ReadRepositories();
        return ImageIds()
            .Select(hex => TryRead(Digest.Parse("sha256:" + hex, "image store"), repositories))
            .OfType<ImageRecord>()
            .OrderByDescending(image => image.Added)
            .ThenBy(image => image.Id.Hex, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The config blob exactly as stored (its sha256 is the image ID): what `save` writes.</summary>
    public byte[] ReadConfigBytes(Digest id) => File.ReadAllBytes(Path.Combine(ImageDirectory(id), ConfigFile));

    /// <summary>The image with this ID, or null.</summary>
    public ImageRecord? TryGet(Digest id) => TryRead(id, ReadRepositories());

    /// <summary>
    /// Stores an image whose layers are all in the layer store: publishes its directory (unless present), then points
    /// <paramref name="names"/> at it (moving a name from another image, as docker load does).
    /// </summary>
    public ImageRecord Add(byte[] configBytes, IReadOnlyList<ImageReference> names, IReadOnlyList<string>? repoDigests = null)
    {
        Digest id = Digest.Of(configBytes);
        ImageConfig config = ImageJson.ParseConfig(configBytes, $"image {id}");
        foreach (ImageReference name in names)
            if (!name.IsTagged) throw new InvalidInputException($"cannot name an image by digest: {name}");
        Paths.EnsureCreated();
        using FileLock _ = FileLock.Exclusive(LockPath);
        // Under the lock, so that a concurrent Delete cannot take a layer away between the loader's check and the record.
        long size = 0;
        foreach (string diffId in config.RootFs.DiffIds)
            size += (Layers.TryGet(Digest.Parse(diffId, $"image {id}: rootfs.diff_ids"))
                ?? throw new MiniRunException($"layer {diffId} of image {id} is not in the store (removed meanwhile? load again)")).Size;

        string directory = ImageDirectory(id);
        ImageMetadata metadata = ReadMetadata(id) ?? new ImageMetadata { Size = size, Added = DateTimeOffset.UtcNow };
        bool newDigests = repoDigests?.Except(metadata.RepoDigests).Any() == true;
        if (newDigests) metadata.RepoDigests = metadata.RepoDigests.Union(repoDigests!).Order(StringComparer.Ordinal).ToList();
        if (!Directory.Exists(directory))
        {
            string temp = Paths.NewTempDirectory("image");
            WriteDurably(Path.Combine(temp, ConfigFile), configBytes);
            WriteDurably(Path.Combine(temp, MetadataFile), JsonSerializer.SerializeToUtf8Bytes(metadata, ImagesJsonContext.Default.ImageMetadata));
            Syscalls.Fsync(temp, directory: true);
            CrashPoint.Reach("image-staged");
            if (!Syscalls.TryRenameNoReplace(temp, directory)) Directory.Delete(temp, recursive: true);
            Syscalls.Fsync(Paths.Images, directory: true);
            CrashPoint.Reach("image-published");
        }
        else if (newDigests)
        {
            ReplaceAtomically(Path.Combine(directory, MetadataFile), JsonSerializer.SerializeToUtf8Bytes(metadata, ImagesJsonContext.Default.ImageMetadata));
        }

        if (names.Count > 0)
        {
            SortedDictionary<string, string> repositories = ReadRepositories();
            foreach (ImageReference name in names) repositories[name.ToString()] = id.ToString();
            WriteRepositories(repositories);
        }
        // A driver with a tree per layer (vfs) makes them now, as Docker's does when it registers a layer: a run then only clones.
        Layers.EnsureTrees(config.RootFs.DiffIds.Select(d => Digest.Parse(d, $"image {id}: rootfs.diff_ids")).ToList());
        return TryGet(id) ?? throw new MiniRunException($"image {id} vanished right after it was stored");
    }

    /// <summary>Points the name <paramref name="target"/> at the image <paramref name="source"/> resolves to (docker tag).</summary>
    public ImageRecord Tag(string source, string target)
    {
        ImageReference name = ImageReference.Parse(target);
        if (!name.IsTagged || name.Digest is not null) throw new InvalidInputException($"cannot tag with a digest reference: {target}");
        ImageRecord image = Resolve(source);
        using (FileLock.Exclusive(LockPath))
        {
            if (TryGet(image.Id) is null) throw new NotFoundException($"No such image: {source}");
            SortedDictionary<string, string> repositories = ReadRepositories();
            repositories[name.ToString()] = image.Id.ToString();
            WriteRepositories(repositories);
        }
        return TryGet(image.Id)!;
    }

    /// <summary>Removes a name; returns the ID it pointed at. A <see cref="NotFoundException"/> when no image has that name.</summary>
    public Digest Untag(string name)
    {
        ImageReference reference = ImageReference.Parse(name);
        using FileLock _ = FileLock.Exclusive(LockPath);
        SortedDictionary<string, string> repositories = ReadRepositories();
        if (!repositories.Remove(reference.ToString(), out string? id)) throw new NotFoundException($"no such image name: {name}");
        WriteRepositories(repositories);
        return Digest.Parse(id, Paths.Repositories);
    }

    /// <summary>
    /// docker rmi: a name of an image that has other names only loses that name; otherwise the image goes with all
    /// its names and every layer no other image uses. The caller refuses first when a container uses the image.
    /// </summary>
    public ImageRemoval Remove(string reference)
    {
        ImageRecord image = Resolve(reference);
        bool byName = !Digest.TryParse(reference, out _) && ImageReference.TryParse(reference, out ImageReference? name)
            && name.IsTagged && image.Names.Contains(name.ToString());
        if (byName && image.Names.Count > 1)
        {
            Untag(reference);
            return new ImageRemoval(image.Id, [ImageReference.Parse(reference).ToString()], false, []);
        }
        return Delete(image.Id);
    }

    /// <summary>Deletes the image, its names, and (unless told not to) each of its layers that no other image uses.</summary>
    public ImageRemoval Delete(Digest id, bool removeUnusedLayers = true)
    {
        using FileLock _ = FileLock.Exclusive(LockPath);
        ImageRecord image = TryGet(id) ?? throw new NotFoundException($"No such image: {id}");
        SortedDictionary<string, string> repositories = ReadRepositories();
        List<string> untagged = repositories.Where(kv => kv.Value == id.ToString()).Select(kv => kv.Key).ToList();
        foreach (string name in untagged) repositories.Remove(name);
        WriteRepositories(repositories);

        // Unpublish by rename first, so a crash mid-delete leaves no half image behind.
        string doomed = Path.Combine(Paths.Temp, $"deleted-image-{id.Hex}-{Guid.NewGuid():N}");
        Directory.Move(ImageDirectory(id), doomed);
        Directory.Delete(doomed, recursive: true);

        if (!removeUnusedLayers) return new ImageRemoval(id, untagged, true, []);
        HashSet<Digest> stillUsed = List().SelectMany(other => other.DiffIds).ToHashSet();
        var removed = new List<Digest>();
        foreach (Digest diffId in image.DiffIds.Distinct())
        {
            if (stillUsed.Contains(diffId) || Layers.TryGet(diffId) is null) continue;
            Layers.Remove(diffId);
            removed.Add(diffId);
        }
        Layers.Trees?.Prune(List().Select(other => other.DiffIds));
        return new ImageRemoval(id, untagged, true, removed);
    }

    /// <summary>True when some image other than <paramref name="except"/> uses the layer.</summary>
    public bool IsLayerUsed(Digest diffId, Digest? except = null) =>
        List().Any(image => image.Id != except && image.DiffIds.Contains(diffId));

    /// <summary>Every name and the image ID it points at, as repositories.json holds them (for `system check`).</summary>
    public SortedDictionary<string, string> ReadNames() => ReadRepositories();

    /// <summary>Replaces every name at once, under the names lock (for `system check --repair`).</summary>
    public void ReplaceNames(SortedDictionary<string, string> names)
    {
        using FileLock _ = FileLock.Exclusive(LockPath);
        WriteRepositories(names);
    }

    private ImageRecord? TryRead(Digest id, SortedDictionary<string, string> repositories)
    {
        string configPath = Path.Combine(ImageDirectory(id), ConfigFile);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(configPath); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        ImageConfig config = ImageJson.ParseConfig(bytes, configPath);
        // Loops, not LINQ: over a struct (Digest, KeyValuePair) a LINQ call on the way to a start costs NativeAOT a
        // generic virtual method lookup that builds types at run time (about 0.1 ms).
        var diffIds = new List<Digest>(config.RootFs.DiffIds.Count);
        foreach (string diffId in config.RootFs.DiffIds) diffIds.Add(Digest.Parse(diffId, configPath));
        ImageMetadata metadata = ReadMetadata(id) ?? new ImageMetadata();
        string idText = id.ToString();
        var names = new List<string>();
        foreach ((string name, string target) in repositories)
            if (target == idText) names.Add(name);
        return new ImageRecord(id, diffIds, config, names, metadata.Size) { Added = metadata.Added, RepoDigests = metadata.RepoDigests };
    }

    private ImageMetadata? ReadMetadata(Digest id)
    {
        string path = Path.Combine(ImageDirectory(id), MetadataFile);
        if (!File.Exists(path)) return null;
        return ImageJson.ParseMetadata(File.ReadAllBytes(path), path);
    }

    private IEnumerable<string> ImageIds() =>
        Directory.Exists(Paths.Images)
            ? Directory.EnumerateDirectories(Paths.Images).Select(Path.GetFileName).OfType<string>().Where(n => HexId().IsMatch(n))
            : [];

    private SortedDictionary<string, string> ReadRepositories()
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(Paths.Repositories); }
        catch (FileNotFoundException) { return new SortedDictionary<string, string>(StringComparer.Ordinal); }
        return ImageJson.ParseNames(bytes, Paths.Repositories);
    }

    private void WriteRepositories(SortedDictionary<string, string> repositories) =>
        ReplaceAtomically(Paths.Repositories, JsonSerializer.SerializeToUtf8Bytes(repositories, ImagesJsonContext.Default.SortedDictionaryStringString));

    /// <summary>Temp file + fsync + rename + fsync of the directory: readers see the old or the new file, never a torn one.</summary>
    private void ReplaceAtomically(string path, byte[] content)
    {
        // Named after its creator (PID and start time), so a crash's leftover is recognised as one.
        string temp = Paths.NewTempPath(Path.GetFileNameWithoutExtension(path).Replace('.', '-'));
        Directory.CreateDirectory(Paths.Temp);
        WriteDurably(temp, content);
        CrashPoint.Reach("names-staged");
        File.Move(temp, path, overwrite: true);
        Syscalls.Fsync(Path.GetDirectoryName(path)!, directory: true);
    }

    private static void WriteDurably(string path, byte[] content)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        file.Write(content);
        file.Flush(flushToDisk: true);
    }

    [GeneratedRegex("^[a-f0-9]{64}$")]
    private static partial Regex HexId();

    [GeneratedRegex("^(?:sha256:)?([a-f0-9]{1,64})$")]
    private static partial Regex IdPrefix();
}
