using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>The identity the command runs as: uid, gid, supplementary groups and home directory.</summary>
public sealed record ContainerUser(uint Uid, uint Gid, IReadOnlyList<uint> Groups, string Home)
{
    public static readonly ContainerUser Root = new(0, 0, [], "/root");

    /// <summary>
    /// Resolves Docker's "-u USER[:GROUP]" (names or numbers) against the image's /etc/passwd and /etc/group
    /// inside <paramref name="rootfs"/>. Files that are symlinks are not followed: they could point outside the image.
    /// </summary>
    public static ContainerUser Resolve(string rootfs, string? user)
    {
        var passwd = ReadDatabase(rootfs, "etc/passwd");
        var groups = ReadDatabase(rootfs, "etc/group");
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

        var supplementary = new List<uint>();
        if (entry is not null)
            foreach (string[] group in groups)
                if (group.Length >= 4 && group[3].Split(',').Contains(entry[0]) && uint.TryParse(group[2], out uint sg) && sg != gid)
                    supplementary.Add(sg);
        return new ContainerUser(uid, gid, supplementary.Distinct().ToList(), home);
    }

    private static List<string[]> ReadDatabase(string rootfs, string relative)
    {
        string path = Path.Combine(rootfs, relative);
        FileStatus? dir = Syscalls.TryLStat(Path.GetDirectoryName(path)!);
        FileStatus? file = Syscalls.TryLStat(path);
        if (dir is not { IsDirectory: true } || file is not { IsRegular: true }) return [];
        var entries = new List<string[]>();
        foreach (string line in File.ReadAllLines(path)) // a loop: LINQ here cost a start a run-time generic lookup
            if (line.Length > 0 && line[0] != '#') entries.Add(line.Split(':'));
        return entries;
    }
}
