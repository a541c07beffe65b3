namespace MiniRun.Fixtures.Tar;

/// <summary>
/// One entry as <see cref="TarBuilder"/> will write it, with no checks at all: the name and link name go into the
/// archive exactly as given, so hostile entries ("../evil", "/etc/passwd") can be expressed.
/// </summary>
public sealed record TarBuilderEntry(char Type, string Name)
{
    public const char RegularFile = '0', HardLink = '1', Symlink = '2', CharDevice = '3', BlockDevice = '4',
        Directory = '5', Fifo = '6';

    public string LinkName { get; init; } = "";
    /// <summary>Permission bits, octal text as in chmod(1): "0644", "4755", "1777".</summary>
    public string Mode { get; init; } = "0644";
    public long Uid { get; init; }
    public long Gid { get; init; }
    public string UserName { get; init; } = "";
    public string GroupName { get; init; } = "";
    public byte[] Content { get; init; } = [];
    public DateTimeOffset ModifiedTime { get; init; } = TarBuilder.DefaultTime;
    public uint DeviceMajor { get; init; }
    public uint DeviceMinor { get; init; }
    /// <summary>Written as PAX <c>SCHILY.xattr.NAME</c> records; values are bytes (a security.capability blob is not text).</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> Xattrs { get; init; } = [];
    /// <summary>Extra raw PAX records for this entry (e.g. a "size" that lies, for malformed-archive tests).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ExtraPaxRecords { get; init; } = [];
}
