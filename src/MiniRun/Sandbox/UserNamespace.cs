using System.Globalization;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>One line of /proc/PID/uid_map or gid_map: <paramref name="Size"/> IDs from <paramref name="Inside"/> are <paramref name="Outside"/> on, on the host.</summary>
public sealed record IdMapping(uint Inside, uint Outside, uint Size);

/// <summary>
/// The container's user namespace (user_namespaces(7)): a new one with its ID maps, or an existing one joined by path.
/// Made by the spawn of the init stage itself (<see cref="ProcessControl.SpawnNamespaced"/>), since no thread of a .NET
/// process can unshare one; the stage's other namespaces are then owned by it. The parent writes the maps from outside
/// while the child waits (only a process with CAP_SETUID in the parent namespace may map more than its own ID), as
/// runc's parent does for its nsexec.
/// </summary>
public sealed class UserNamespace
{
    /// <summary>An existing user namespace to join (linux.namespaces[].path); null: a new one with the maps below.</summary>
    public string? Path { get; init; }
    public IReadOnlyList<IdMapping> Uids { get; init; } = [];
    public IReadOnlyList<IdMapping> Gids { get; init; } = [];

    /// <summary>The host's ID of an ID inside (root's, for the files the container's root must own), or null when unmapped.</summary>
    public static uint? Outside(IReadOnlyList<IdMapping> maps, uint inside) =>
        maps.FirstOrDefault(m => inside >= m.Inside && inside - m.Inside < m.Size) is { } m ? m.Outside + (inside - m.Inside) : null;

    /// <summary>Writes the maps of the child <paramref name="pid"/>, which waits for them (gid_map too: setgroups stays "allow").</summary>
    public void WriteMaps(ISyscalls sys, int pid)
    {
        if (Path is not null) return;
        string proc = "/proc/" + pid.ToString(CultureInfo.InvariantCulture);
        sys.Explain("the user namespace's ID maps, written from outside: root inside is an ordinary user on the host");
        sys.WriteKernelFile(proc + "/uid_map", Lines(Uids));
        sys.WriteKernelFile(proc + "/gid_map", Lines(Gids));
    }

    private static string Lines(IReadOnlyList<IdMapping> maps) =>
        string.Concat(maps.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Inside} {m.Outside} {m.Size}\n")));
}
