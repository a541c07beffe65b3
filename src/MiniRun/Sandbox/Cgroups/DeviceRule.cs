namespace MiniRun.Sandbox.Cgroups;

/// <summary>
/// One devices-cgroup rule (cgroup-v1/devices.rst): allow or deny type ('a', 'c', 'b') major:minor ("*" = any) access ("rwm").
/// </summary>
public sealed record DeviceRule(bool Allow, char Type, long? Major, long? Minor, string Access)
{
    /// <summary>The line written to devices.allow / devices.deny: "c 1:3 rwm", or "a" for every device.</summary>
    public string ToV1Line() => Type == 'a' ? "a" : $"{Type} {Major?.ToString() ?? "*"}:{Minor?.ToString() ?? "*"} {Access}";

    /// <summary>
    /// Docker's default rules (moby oci/defaults.go and runc's default allow-list): deny all, then allow mknod of any node
    /// (only these nodes can be opened), null, zero, full, random, urandom, tty, console, ptmx and the container's ptys.
    /// </summary>
    public static IReadOnlyList<DeviceRule> DockerDefaults() =>
    [
        new(false, 'a', null, null, "rwm"),
        new(true, 'c', null, null, "m"),
        new(true, 'b', null, null, "m"),
        new(true, 'c', 1, 3, "rwm"),
        new(true, 'c', 1, 5, "rwm"),
        new(true, 'c', 1, 7, "rwm"),
        new(true, 'c', 1, 8, "rwm"),
        new(true, 'c', 1, 9, "rwm"),
        new(true, 'c', 5, 0, "rwm"),
        new(true, 'c', 5, 1, "rwm"),
        new(true, 'c', 5, 2, "rwm"),
        new(true, 'c', 136, null, "rwm"),
    ];

    /// <summary>--privileged: every device.</summary>
    public static IReadOnlyList<DeviceRule> AllowAll() => [new(true, 'a', null, null, "rwm")];
}
