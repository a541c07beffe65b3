using MiniRun.Common;

namespace MiniRun.Rootless;

/// <summary>The host user a rootless minirun acts for, by name, for messages.</summary>
public static class RootlessUser
{
    /// <summary>The name /etc/passwd gives the host UID, else "uid N".</summary>
    public static string Name(RootlessMode mode) =>
        SubordinateIds.UserName(SubordinateIds.ReadOrEmpty("/etc/passwd"), mode.HostUid) ?? $"uid {mode.HostUid}";
}
