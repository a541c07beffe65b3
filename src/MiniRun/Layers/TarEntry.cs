namespace MiniRun.Layers;

/// <summary>A point in time as tar stores it: seconds since the epoch plus the PAX fraction (nanoseconds, 0..999999999).</summary>
public readonly record struct TarTimestamp(long Seconds, int Nanoseconds)
{
    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.FromUnixTimeSeconds(Seconds).AddTicks(Nanoseconds / 100);
}

/// <summary>An extended attribute from a PAX <c>SCHILY.xattr.NAME</c> record; the value is raw bytes, never text.</summary>
public sealed record TarXattr(string Name, byte[] Value);

/// <summary>
/// One entry of a tar archive with every header extension (GNU long names, PAX per-entry and global records) applied.
/// <see cref="Name"/> and <see cref="LinkName"/> are as stored: callers must check them before using them as paths.
/// </summary>
public sealed class TarEntry
{
    public required string Name { get; init; }
    public required TarEntryType Type { get; init; }
    /// <summary>Target of a symlink (stored text) or of a hard link (another entry's name); empty otherwise.</summary>
    public string LinkName { get; init; } = "";
    /// <summary>Permission bits including setuid, setgid and sticky (07777).</summary>
    public uint Mode { get; init; }
    public long Uid { get; init; }
    public long Gid { get; init; }
    public string UserName { get; init; } = "";
    public string GroupName { get; init; } = "";
    /// <summary>Bytes of data that follow the header (0 for every type but regular files).</summary>
    public long Size { get; init; }
    public TarTimestamp ModifiedTime { get; init; }
    public uint DeviceMajor { get; init; }
    public uint DeviceMinor { get; init; }
    public IReadOnlyList<TarXattr> Xattrs { get; init; } = [];

    public override string ToString() => $"{(char)Type} {Name}";
}
