using System.Text.Json.Serialization;

namespace MiniRun.Runtime.Spec;

/// <summary>config-linux.md: namespaces, ID mappings, devices, cgroup, seccomp, masked and read-only paths.</summary>
public sealed class OciLinux
{
    public List<LinuxIdMapping>? UidMappings { get; set; }
    public List<LinuxIdMapping>? GidMappings { get; set; }
    public Dictionary<string, string>? Sysctl { get; set; }
    public LinuxResources? Resources { get; set; }
    /// <summary>The container's cgroup, relative to each hierarchy's root ("minirun/&lt;id&gt;").</summary>
    public string? CgroupsPath { get; set; }
    public List<LinuxNamespace>? Namespaces { get; set; }
    /// <summary>Device nodes the runtime creates in /dev, beyond the default ones every container has.</summary>
    public List<LinuxDevice>? Devices { get; set; }
    public LinuxSeccomp? Seccomp { get; set; }
    /// <summary>"shared", "slave", "private" and their recursive forms ("rslave"); unset: the runtime's default.</summary>
    public string? RootfsPropagation { get; set; }
    public List<string>? MaskedPaths { get; set; }
    public List<string>? ReadonlyPaths { get; set; }

    /// <summary>Members MiniRun has no type for, as read (<see cref="OciSpecJson"/>): those the runtime-spec defines are refused by name (<see cref="UnknownMembers"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; set; }
}

/// <summary>config-linux.md "Namespaces": a new one of this type, or the one at <see cref="Path"/> joined.</summary>
public sealed class LinuxNamespace
{
    /// <summary>"pid", "network", "mount", "ipc", "uts", "user", "cgroup" or "time".</summary>
    public required string Type { get; set; }
    public string? Path { get; set; }
}

/// <summary>config-linux.md "User namespace mappings": <see cref="Size"/> ids from <see cref="ContainerId"/> map to <see cref="HostId"/> on.</summary>
public sealed class LinuxIdMapping
{
    [JsonPropertyName("containerID")]
    public uint ContainerId { get; set; }
    [JsonPropertyName("hostID")]
    public uint HostId { get; set; }
    public uint Size { get; set; }
}

/// <summary>config-linux.md "Devices": a node to create, "c" (character), "b" (block), "u" or "p" (fifo).</summary>
public sealed class LinuxDevice
{
    public required string Path { get; set; }
    public required string Type { get; set; }
    public long Major { get; set; }
    public long Minor { get; set; }
    /// <summary>The node's permission bits (0666 is 438).</summary>
    public uint? FileMode { get; set; }
    public uint? Uid { get; set; }
    public uint? Gid { get; set; }
}
