using System.Text.Json;
using System.Text.RegularExpressions;
using MiniRun.Common;
using MiniRun.Native;
using MiniRun.Store;

namespace MiniRun.Volumes;

/// <summary>A volume as `volume inspect` shows it (Docker's local driver: its files in Mountpoint).</summary>
public sealed record VolumeRecord(string Name, DateTimeOffset CreatedAt, bool Anonymous, string Mountpoint);

/// <summary>
/// The store's volumes: volumes/NAME/_data holds a volume's files (what containers bind in), volumes/NAME/volume.json
/// when and how it was made. A volume is made whole under tmp/ and renamed into place, so it exists or it does not;
/// two containers asking for a new volume of one name at once get the same one.
/// </summary>
public sealed partial class VolumeStore(StorePaths paths)
{
    private const string Data = "_data", Metadata = "volume.json";

    public StorePaths Paths => paths;

    /// <summary>Docker's rule for a volume's name: two characters or more, [a-zA-Z0-9][a-zA-Z0-9_.-]+.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex NamePattern();

    /// <summary>Docker's error for a name <see cref="IsValidName"/> refuses.</summary>
    public static string CheckName(string name) => IsValidName(name) ? name
        : throw new MiniRunException($"\"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed");

    public string DataDirectory(string name) => Path.Combine(paths.Volumes, name, Data);

    /// <summary>An anonymous volume's name: 64 hex digits, as Docker draws them.</summary>
    public static string NewAnonymousName() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>The volume, made (empty, mode 0755) when there is none of that name; whether it was made now.</summary>
    public (VolumeRecord Volume, bool Created) Ensure(string name, bool anonymous = false)
    {
        CheckName(name);
        if (Get(name) is { } existing) return (existing, false);
        Directory.CreateDirectory(paths.Volumes);
        Directory.CreateDirectory(paths.Temp);
        string staging = Path.Combine(paths.Temp, $"volume-{Guid.NewGuid():N}");
        var record = new VolumeRecord(name, DateTimeOffset.UtcNow, anonymous, DataDirectory(name));
        try
        {
            Syscalls.MakeDirectory(staging, 0x1c0); // 0700: only root looks into a volume's home
            Syscalls.MakeDirectory(Path.Combine(staging, Data), 0x1ed);
            Syscalls.Chmod(Path.Combine(staging, Data), 0x1ed);
            AtomicFile.WriteAllBytes(Path.Combine(staging, Metadata), JsonObjectWriter.Write(indented: true, json =>
            {
                json.WriteString("Name", name);
                json.WriteString("CreatedAt", record.CreatedAt);
                json.WriteBoolean("Anonymous", anonymous);
            }), durable: false);
            if (Syscalls.TryRenameNoReplace(staging, Path.Combine(paths.Volumes, name))) return (record, true);
            DirectoryTree.Remove(staging); // made meanwhile by another container's start: that one it is
            return (Get(name) ?? throw new MiniRunException($"volume {name}: made and gone at once"), false);
        }
        catch
        {
            if (Directory.Exists(staging)) DirectoryTree.Remove(staging);
            throw;
        }
    }

    public VolumeRecord? Get(string name)
    {
        if (!IsValidName(name)) return null;
        string file = Path.Combine(paths.Volumes, name, Metadata);
        if (!File.Exists(file)) return null;
        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(file));
        JsonElement root = json.RootElement;
        return new VolumeRecord(name, root.GetProperty("CreatedAt").GetDateTimeOffset(),
            root.TryGetProperty("Anonymous", out JsonElement anonymous) && anonymous.GetBoolean(), DataDirectory(name));
    }

    public VolumeRecord Resolve(string name) => Get(name) ?? throw new NotFoundException($"get {name}: no such volume");

    /// <summary>Every volume, by name.</summary>
    public List<VolumeRecord> List()
    {
        if (!Directory.Exists(paths.Volumes)) return [];
        var volumes = new List<VolumeRecord>();
        foreach (string dir in Directory.EnumerateDirectories(paths.Volumes).Order(StringComparer.Ordinal))
            if (Get(Path.GetFileName(dir)) is { } volume) volumes.Add(volume);
        return volumes;
    }

    /// <summary>The volumes that <paramref name="records"/> mount: in use, not to be removed.</summary>
    public static HashSet<string> InUse(IEnumerable<Containers.ContainerRecord> records) =>
        records.SelectMany(r => r.Mounts).Where(m => m.Type == Containers.ContainerMount.Volume).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The anonymous volumes of a container that is gone (--rm, rm -v), unless another container mounts one; named
    /// volumes stay, as under Docker. Returns the names removed.
    /// </summary>
    public List<string> RemoveAnonymous(Containers.ContainerRecord gone, IEnumerable<Containers.ContainerRecord> others)
    {
        HashSet<string> used = InUse(others.Where(r => r.Id != gone.Id));
        var removed = new List<string>();
        foreach (Containers.ContainerMount mount in gone.Mounts)
            if (mount.Type == Containers.ContainerMount.Volume && mount.Anonymous && !used.Contains(mount.Name) && Get(mount.Name) is not null)
            {
                Remove(mount.Name);
                removed.Add(mount.Name);
            }
        return removed;
    }

    /// <summary>
    /// Deletes the volume and its files (renamed under tmp/ first); never across a mount point below it. The caller
    /// has checked that no container uses it.
    /// </summary>
    public void Remove(string name)
    {
        Resolve(name);
        string doomed = Path.Combine(paths.Temp, $"removing-volume-{Guid.NewGuid():N}");
        Directory.CreateDirectory(paths.Temp);
        Directory.Move(Path.Combine(paths.Volumes, name), doomed);
        DirectoryTree.Remove(doomed);
    }
}
