namespace MiniRun.Containers;

/// <summary>
/// A mount of a container beyond its image (docker run -v, --mount, --tmpfs), as its record keeps it: a host
/// directory bound in, a volume of the store bound in, or a tmpfs.
/// </summary>
public sealed record ContainerMount
{
    public const string Bind = "bind", Volume = "volume", Tmpfs = "tmpfs";

    /// <summary><see cref="Bind"/>, <see cref="Volume"/> or <see cref="Tmpfs"/>.</summary>
    public required string Type { get; init; }
    /// <summary>The volume's name (volume), else empty.</summary>
    public string Name { get; init; } = "";
    /// <summary>The host path bound in: the directory given (bind), the volume's _data (volume); empty (tmpfs).</summary>
    public string Source { get; init; } = "";
    /// <summary>The absolute path inside the container.</summary>
    public required string Destination { get; init; }
    public bool ReadOnly { get; init; }
    /// <summary>A volume made for this container alone (-v /path): removed with it by --rm and rm -v.</summary>
    public bool Anonymous { get; init; }
    /// <summary>volume-nocopy: a new volume is not seeded from the image's files at the destination.</summary>
    public bool NoCopy { get; init; }
    /// <summary>tmpfs options (size=64m,mode=1777), as mount(8) takes them.</summary>
    public string Options { get; init; } = "";
    /// <summary>-v HOST:CTR makes HOST when it is missing (--mount refuses it, as Docker does); not kept in the record.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool MakeSource { get; init; }
}
