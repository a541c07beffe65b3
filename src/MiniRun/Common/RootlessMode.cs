using System.Globalization;

namespace MiniRun.Common;

/// <summary>
/// This process is minirun's rootless child: root of a user namespace that an ordinary user made (see
/// MiniRun.Rootless.RootlessLauncher), told so by the launcher through <see cref="Variable"/> (<c>UID:GID</c>, the
/// user's IDs on the host). What changes then: overlayfs's own xattrs are user.overlay.* (mounted with userxattr),
/// cgroups are made only below a v2 group delegated to the user, devices are bind-mounted, and the networks are pasta
/// (the default), host or none.
/// </summary>
public sealed record RootlessMode(int HostUid, int HostGid)
{
    public const string Variable = "MINIRUN_ROOTLESS";

    /// <summary>overlayfs.rst "Extended attributes": trusted.overlay.* by default, user.overlay.* with userxattr.</summary>
    public const string TrustedOverlayPrefix = "trusted.overlay.", UserOverlayPrefix = "user.overlay.";

    /// <summary>The mode of this process, read once from its environment: null when minirun runs as real root.</summary>
    public static RootlessMode? Current { get; } = Parse(Environment.GetEnvironmentVariable(Variable));

    public static bool Active => Current is not null;

    /// <summary>The prefix of overlayfs's xattrs in this process's store: trusted.overlay. as root, user.overlay. rootless.</summary>
    public static string OverlayXattrPrefix => Active ? UserOverlayPrefix : TrustedOverlayPrefix;

    /// <summary>Rootless with the one-ID map (no subordinate range): no owner but root can be given to a file.</summary>
    public static bool OneId => Active && s_oneId.Value;

    private static readonly Lazy<bool> s_oneId = new(() =>
    {
        try { return File.ReadAllText("/proc/self/uid_map").Split('\n', StringSplitOptions.RemoveEmptyEntries) is [var line] && line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, _, "1"]; }
        catch (IOException) { return false; }
    });

    /// <summary><c>UID:GID</c>, or null when absent or malformed.</summary>
    public static RootlessMode? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        string[] parts = value.Split(':');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int uid)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int gid) && uid > 0
            ? new RootlessMode(uid, gid) : null;
    }

    public string Value => string.Create(CultureInfo.InvariantCulture, $"{HostUid}:{HostGid}");
}
