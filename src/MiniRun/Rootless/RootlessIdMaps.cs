using System.Globalization;
using MiniRun.Common;
using MiniRun.Native;

namespace MiniRun.Rootless;

/// <summary>
/// The ID maps of a rootless user namespace, as Podman makes them: root inside is the user, IDs 1..N inside are the
/// user's first subordinate range (newuidmap(1) and newgidmap(1), setuid helpers, write maps of more than one's own ID).
/// Without a range in both files: the one-ID map, written by the user itself (user_namespaces(7): setgroups "deny"
/// first for an unprivileged gid_map); the container then has root and nothing else.
/// </summary>
public sealed record RootlessIdMaps(int Uid, int Gid, SubordinateRange? Uids, SubordinateRange? Gids)
{
    public const string NewUidMap = "/usr/bin/newuidmap", NewGidMap = "/usr/bin/newgidmap";

    /// <summary>Whether both subordinate ranges are there: else the one-ID fallback.</summary>
    public bool HasRanges => Uids is not null && Gids is not null;

    /// <summary>The maps of the user (by uid, name from /etc/passwd) from the host's files.</summary>
    public static RootlessIdMaps OfHostUser(int uid, int gid)
    {
        string? name = SubordinateIds.UserName(SubordinateIds.ReadOrEmpty("/etc/passwd"), uid);
        return new RootlessIdMaps(uid, gid,
            SubordinateIds.FirstRange(SubordinateIds.ReadOrEmpty(SubordinateIds.UidFile), name, uid),
            SubordinateIds.FirstRange(SubordinateIds.ReadOrEmpty(SubordinateIds.GidFile), name, gid));
    }

    /// <summary>newuidmap's or newgidmap's arguments after the PID: inside, outside, count triples.</summary>
    public static string[] HelperArguments(int id, SubordinateRange range) =>
        ["0", Text(id), "1", "1", Text(range.Start), Text(range.Count)];

    /// <summary>The line that says why the container has one ID, and how to give the user a range.</summary>
    public static string OneIdNotice(string user) =>
        $"no subordinate IDs for {user} in {SubordinateIds.UidFile} and {SubordinateIds.GidFile}: the container has one ID (root, which is you) and image files of other owners become root's; " +
        $"add a range with: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {user}";

    /// <summary>Writes the maps of <paramref name="pid"/>, which waits for them in its new user namespace.</summary>
    public void Write(ISyscalls sys, int pid)
    {
        string proc = "/proc/" + Text(pid);
        if (HasRanges)
        {
            sys.Explain("the user's subordinate IDs mapped by the setuid helpers: 0 is you, 1.. your range");
            RunHelper(sys, NewUidMap, pid, HelperArguments(Uid, Uids!));
            RunHelper(sys, NewGidMap, pid, HelperArguments(Gid, Gids!));
            return;
        }
        sys.Explain("no subordinate range: the one-ID map, which an unprivileged process may write itself after setgroups deny");
        sys.WriteKernelFile(proc + "/setgroups", "deny");
        sys.WriteKernelFile(proc + "/uid_map", $"0 {Text(Uid)} 1\n");
        sys.WriteKernelFile(proc + "/gid_map", $"0 {Text(Gid)} 1\n");
    }

    private static void RunHelper(ISyscalls sys, string helper, int pid, string[] arguments)
    {
        (int status, _) = sys.RunProgram(helper, [Path.GetFileName(helper), Text(pid), .. arguments], [], []);
        if (status != 0)
            throw new MiniRunException($"{Path.GetFileName(helper)} {Text(pid)} {string.Join(' ', arguments)} failed (exit status {status}): " +
                "check the user's ranges in /etc/subuid and /etc/subgid and that the uidmap package is installed");
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
