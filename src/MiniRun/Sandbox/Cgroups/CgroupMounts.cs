using MiniRun.Native;

namespace MiniRun.Sandbox.Cgroups;

/// <summary>The container's /sys/fs/cgroup, as mount records.</summary>
public static class CgroupMounts
{
    /// <summary>
    /// /sys/fs/cgroup as Docker gives it (runc's mountCgroupV1/V2 with a cgroup namespace): with v1 hierarchies, a tmpfs
    /// holding one cgroup mount per hierarchy, named and selected as the host's (<paramref name="v1"/>: "cpu,cpuacct",
    /// "name=systemd"), and the unified hierarchy at unified/ on a hybrid host, then the tmpfs remounted read-only;
    /// with v2 alone, one cgroup2 mount. Read-only unless privileged (Docker mounts them read-write then). Made after the
    /// init stage has unshared its cgroup namespace: each shows the container's own group as its root.
    /// </summary>
    public static List<MountRecord> Cgroups(string rootfs, IReadOnlyList<CgroupV1Mount> v1, bool unified, bool privileged)
    {
        string root = Path.Combine(rootfs, "sys/fs/cgroup");
        MountFlags flags = MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec | (privileged ? MountFlags.None : MountFlags.ReadOnly);
        if (v1.Count == 0) return unified ? [new("cgroup2", "cgroup2", root, flags)] : [];
        var mounts = new List<MountRecord> { new("tmpfs", "tmpfs", root, MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec, "mode=755") };
        foreach (CgroupV1Mount hierarchy in v1)
            mounts.Add(new("cgroup", "cgroup", Path.Combine(root, Path.GetFileName(hierarchy.MountPoint)), flags, hierarchy.Options));
        if (unified) mounts.Add(new("cgroup2", "cgroup2", Path.Combine(root, "unified"), flags));
        if (!privileged) mounts.Add(new("bind", root, root, MountFlags.Remount | MountFlags.Bind | flags));
        return mounts;
    }
}
