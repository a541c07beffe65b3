namespace MiniRun.Sandbox.Cgroups;

/// <summary>
/// Where cgroups are mounted, from /proc/self/mountinfo (proc(5)): each v1 controller's hierarchy and the cgroup2 mount.
/// A "hybrid" machine has both; the v2 mount then offers only the controllers no v1 hierarchy holds.
/// <see cref="V1Mounts"/> lists every v1 hierarchy, the named ones (name=systemd) too, with the options that mount it again.
/// </summary>
public sealed record CgroupLayout(IReadOnlyDictionary<string, string> V1Controllers, string? V2MountPoint)
{
    private static readonly HashSet<string> KnownV1Controllers =
        ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "net_cls", "net_prio", "hugetlb", "perf_event", "rdma", "misc"];

    public IReadOnlyList<CgroupV1Mount> V1Mounts { get; init; } = [];

    public bool HasV1 => V1Controllers.Count > 0;
    public bool HasV2 => V2MountPoint is not null;
    public string Kind => HasV1 && HasV2 ? "hybrid" : HasV1 ? "v1" : HasV2 ? "v2" : "none";

    /// <summary>Parses mountinfo: "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices".</summary>
    public static CgroupLayout Parse(string mountinfo)
    {
        var v1 = new Dictionary<string, string>();
        var mounts = new List<CgroupV1Mount>();
        string? v2 = null;
        foreach (string line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0) continue;
            string[] before = line[..dash].Split(' ');
            string[] after = line[(dash + 3)..].Split(' ');
            if (before.Length < 5 || after.Length < 3) continue;
            string mountPoint = Unescape(before[4]);
            if (after[0] == "cgroup2") v2 ??= mountPoint;
            else if (after[0] == "cgroup")
            {
                var options = new List<string>();
                foreach (string option in after[2].Split(','))
                {
                    if (KnownV1Controllers.Contains(option)) v1.TryAdd(option, mountPoint);
                    // What selects the hierarchy again (its controllers, its name) and its flags, so a second mount matches it.
                    if (KnownV1Controllers.Contains(option) || option.StartsWith("name=", StringComparison.Ordinal) || option is "xattr" or "noprefix")
                        options.Add(option);
                }
                if (options.Exists(o => o != "xattr" && o != "noprefix") && !mounts.Exists(m => m.Options == string.Join(',', options)))
                    mounts.Add(new CgroupV1Mount(mountPoint, string.Join(',', options)));
            }
        }
        return new CgroupLayout(v1, v2) { V1Mounts = mounts };
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as octal (\040).</summary>
    private static string Unescape(string field) =>
        field.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");
}

/// <summary>A v1 hierarchy's mount point and the options that select it: "cpu,cpuacct", "name=systemd", "xattr,name=systemd".</summary>
public sealed record CgroupV1Mount(string MountPoint, string Options);
