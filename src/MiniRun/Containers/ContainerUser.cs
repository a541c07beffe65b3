using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>The identity the command runs as: uid, gid, supplementary groups and home directory.</summary>
public sealed record ContainerUser(uint Uid, uint Gid, IReadOnlyList<uint> Groups, string Home)
{
    public static readonly ContainerUser Root = new(0, 0, [0], "/root");

    /// <summary>
    /// Resolves Docker's "-u USER[:GROUP]" (names or numbers) against the container's /etc/passwd and /etc/group
    /// inside <paramref name="rootfs"/>, read as the container sees them: resolved inside that root (openat2
    /// RESOLVE_IN_ROOT), so a symlink, even one a running container swaps in as it is read, reaches the container's
    /// files and never the host's. runc reads them from inside the container for the same reason.
    /// </summary>
    public static ContainerUser Resolve(string rootfs, string? user)
    {
        List<string[]> passwd, groups;
        using (InRootResolver? root = InRootResolver.TryOpen(rootfs))
        {
            passwd = ReadDatabase(root, "/etc/passwd");
            groups = ReadDatabase(root, "/etc/group");
        }
        if (string.IsNullOrEmpty(user)) user = "0";
        string[] parts = user.Split(':', 2);
        string userPart = parts[0];
        string? groupPart = parts.Length > 1 ? parts[1] : null;

        // passwd(5): name:password:uid:gid:gecos:home:shell
        string[]? entry = uint.TryParse(userPart, out uint numericUid)
            ? passwd.FirstOrDefault(f => f.Length >= 7 && f[2] == userPart)
            : passwd.FirstOrDefault(f => f.Length >= 7 && f[0] == userPart)
              ?? throw new MiniRunException($"unable to find user {userPart}: no matching entries in passwd file");
        uint uid = entry is not null ? uint.Parse(entry[2]) : numericUid;
        uint gid = entry is not null && uint.TryParse(entry[3], out uint g) ? g : 0;
        string home = entry is not null && entry[5].Length > 0 ? entry[5] : uid == 0 ? "/root" : "/";

        if (groupPart is not null)
        {
            if (uint.TryParse(groupPart, out uint numericGid)) gid = numericGid;
            else
            {
                // group(5): name:password:gid:members
                string[] groupEntry = groups.FirstOrDefault(f => f.Length >= 3 && f[0] == groupPart)
                    ?? throw new MiniRunException($"unable to find group {groupPart}: no matching entries in group file");
                gid = uint.Parse(groupEntry[2]);
            }
        }

        // Docker's (moby's getUser, runc's setgroups): the primary group is always a supplementary one too; an
        // explicit GROUP is the only one, else each group(5) entry that lists the user by name is added.
        var supplementary = new List<uint> { gid };
        if (entry is not null && groupPart is null)
            foreach (string[] group in groups)
                if (group.Length >= 4 && group[3].Split(',').Contains(entry[0]) && uint.TryParse(group[2], out uint sg))
                    supplementary.Add(sg);
        return new ContainerUser(uid, gid, supplementary.Distinct().ToList(), home);
    }

    /// <summary>The lines of a passwd(5)-style file, split at ':'; none when it is missing or not a regular file.</summary>
    private static List<string[]> ReadDatabase(InRootResolver? root, string path)
    {
        var entries = new List<string[]>();
        if (root?.TryReadFile(path, MaxDatabaseBytes) is not { } bytes) return entries;
        foreach (string line in System.Text.Encoding.UTF8.GetString(bytes).Split('\n')) // a loop: LINQ here cost a start a run-time generic lookup
            if (line.Length > 0 && line[0] != '#') entries.Add(line.TrimEnd('\r').Split(':'));
        return entries;
    }

    /// <summary>More than any real user database: a container's huge file is not read into the host's memory.</summary>
    private const int MaxDatabaseBytes = 16 << 20;
}
