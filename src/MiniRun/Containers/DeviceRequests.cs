using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>One --device: the host's node, where it appears in the container, and what the container may do with it.</summary>
public sealed record DeviceRequest(string HostPath, string ContainerPath, string Permissions, char Type, uint Major, uint Minor, uint Mode);

/// <summary>
/// docker run --device HOST[:CONTAINER[:PERMISSIONS]]: a host's device node made in the container's /dev, and let
/// through the device cgroup with those permissions (r, w, m; rwm by default), as Docker adds both.
/// </summary>
public static class DeviceRequests
{
    /// <summary>The flag's value, checked (the host's path is a device node) and normalised to HOST:CONTAINER:PERMISSIONS.</summary>
    public static string Normalize(string flag) => Text(Parse(flag));

    public static string Text(DeviceRequest device) => $"{device.HostPath}:{device.ContainerPath}:{device.Permissions}";

    /// <summary>The device as the host has it now (its numbers and mode read again at each start).</summary>
    public static DeviceRequest Parse(string flag)
    {
        string[] parts = flag.Split(':');
        if (parts.Length > 3 || parts.Any(p => p.Length == 0)) throw Invalid(flag, "expected HOST[:CONTAINER[:PERMISSIONS]]");
        string host = parts[0], container = parts.Length > 1 ? parts[1] : parts[0];
        string permissions = parts.Length > 2 ? parts[2] : "rwm";
        if (parts.Length == 2 && parts[1].All(c => c is 'r' or 'w' or 'm')) (container, permissions) = (host, parts[1]); // HOST:PERMISSIONS
        FileStatus status = Syscalls.TryStat(host) ?? throw new MiniRunException($"error gathering device information while adding custom device \"{host}\": no such file or directory");
        if (!status.IsCharacterDevice && !status.IsBlockDevice)
            throw new MiniRunException($"error gathering device information while adding custom device \"{host}\": not a device node");
        if (!host.StartsWith('/') || !container.StartsWith("/dev/", StringComparison.Ordinal) || container.Split('/').Contains(".."))
            throw Invalid(flag, "HOST is an absolute path and CONTAINER a path below /dev");
        if (permissions.Length == 0 || permissions.Any(c => c is not ('r' or 'w' or 'm')) || permissions.Distinct().Count() != permissions.Length)
            throw Invalid(flag, $"\"{permissions}\" is not a set of r, w and m");
        return new DeviceRequest(host, container, permissions, status.IsBlockDevice ? 'b' : 'c', status.RdevMajor, status.RdevMinor, status.Permissions);
    }

    private static MiniRunException Invalid(string flag, string why) => new($"invalid argument \"{flag}\" for \"--device\" flag: {why}");
}
