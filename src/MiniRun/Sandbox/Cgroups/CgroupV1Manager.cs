using MiniRun.Native;
using System.Globalization;

namespace MiniRun.Sandbox.Cgroups;

/// <summary>
/// cgroup v1 (Documentation/admin-guide/cgroup-v1): one hierarchy per controller (or co-mounted group, such as
/// cpu,cpuacct), so the container gets a directory minirun/&lt;id&gt; in each, and its PID is written to each.
/// On a hybrid host (<paramref name="unifiedMountPoint"/>) it also gets minirun/&lt;id&gt; in the unified hierarchy, as
/// runc does: left at the host's root there, a container's own cgroup namespace would show it the host's whole tree.
/// </summary>
/// <param name="mounts">every hierarchy as mounted (<see cref="CgroupLayout.V1Mounts"/>), for /sys/fs/cgroup inside; its
/// named ones (name=systemd) get a group too, so the container's cgroup namespace has nothing of the host's below it.</param>
public sealed class CgroupV1Manager(IReadOnlyDictionary<string, string> controllers, ISyscalls? sys = null, string? unifiedMountPoint = null,
    IReadOnlyList<CgroupV1Mount>? mounts = null) : ICgroupManager
{
    private readonly ISyscalls _sys = sys ?? LinuxSyscalls.Instance;

    public string Version => "v1";

    public IReadOnlyList<string> Controllers { get; } = controllers.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Each mounted hierarchy once (co-mounted controllers share one).</summary>
    private List<string> Hierarchies { get; } = DistinctValues(controllers, mounts ?? []);

    private static List<string> DistinctValues(IReadOnlyDictionary<string, string> controllers, IReadOnlyList<CgroupV1Mount> mounts)
    {
        var hierarchies = new List<string>();
        foreach (string hierarchy in controllers.Values)
            if (!hierarchies.Contains(hierarchy)) hierarchies.Add(hierarchy);
        foreach (CgroupV1Mount mount in mounts)
            if (!hierarchies.Contains(mount.MountPoint)) hierarchies.Add(mount.MountPoint); // name=systemd
        return hierarchies;
    }

    public List<MountRecord> MountsInside(string rootfs, bool privileged) =>
        CgroupMounts.Cgroups(rootfs, mounts ?? MountsOf(controllers), unifiedMountPoint is not null, privileged);

    /// <summary>Without mountinfo's options (tests): each hierarchy selected by its controllers.</summary>
    private static List<CgroupV1Mount> MountsOf(IReadOnlyDictionary<string, string> controllers)
    {
        var list = new List<CgroupV1Mount>();
        foreach (string hierarchy in DistinctValues(controllers, []))
            list.Add(new(hierarchy, string.Join(',', controllers.Where(c => c.Value == hierarchy).Select(c => c.Key).Order(StringComparer.Ordinal))));
        return list;
    }

    /// <summary>The cgroup2 mount of a hybrid host, or null.</summary>
    public string? UnifiedMountPoint => unifiedMountPoint;

    public IReadOnlyList<string> Directories(string name)
    {
        var dirs = new List<string>(); // a loop: LINQ on the way to a start costs NativeAOT run-time generic lookups
        foreach (string hierarchy in Hierarchies) dirs.Add(Path.Combine(hierarchy, name));
        if (unifiedMountPoint is not null) dirs.Add(Path.Combine(unifiedMountPoint, name));
        return dirs;
    }

    public IReadOnlyList<string> ProcessDirectories(string name, CgroupLimits limits)
    {
        List<string> dirs = HierarchyProcessDirectories(name, limits);
        if (unifiedMountPoint is not null) dirs.Add(Path.Combine(unifiedMountPoint, name));
        return dirs;
    }

    private List<string> HierarchyProcessDirectories(string name, CgroupLimits limits)
    {
        var dirs = new List<string>();
        foreach (string hierarchy in Hierarchies)
            dirs.Add(HoldsLimit(hierarchy, limits) ? Path.Combine(hierarchy, name, CgroupNames.Leaf) : Path.Combine(hierarchy, name));
        return dirs;
    }

    /// <summary>A hierarchy where a limit is written gets the container a leaf below it (see <see cref="CgroupNames.Leaf"/>).</summary>
    private bool HoldsLimit(string hierarchy, CgroupLimits limits) =>
        (limits.RequestsMemory && controllers.GetValueOrDefault("memory") == hierarchy) ||
        (limits.RequestsPids && controllers.GetValueOrDefault("pids") == hierarchy) ||
        (limits.RequestsCpu && controllers.GetValueOrDefault("cpu") == hierarchy);

    private string Dir(string controller, string name) => Path.Combine(controllers[controller], name);

    public void Create(string name, CgroupLimits limits)
    {
        Require(limits.RequestsMemory, "--memory", "memory");
        Require(limits.RequestsPids, "--pids-limit", "pids");
        Require(limits.RequestsCpu, "--cpus/--cpu-shares", "cpu");
        Require(limits.RequestsCpuset, "linux.resources.cpu.cpus/mems", "cpuset");
        foreach (string hierarchy in Hierarchies)
        {
            string dir = Path.Combine(hierarchy, name);
            _sys.Explain("a cgroup is a directory; the kernel fills it with the controllers' files");
            _sys.MakeDirectories(dir);
            // A new cpuset cgroup has no CPUs or memory nodes; a task cannot join until they are copied from the parent.
            if (controllers.TryGetValue("cpuset", out string? cpuset) && cpuset == hierarchy) InheritCpuset(hierarchy, name);
        }
        // Usually made already by the init stage, which joins it early (EarlyJoinDirectory): mkdir -p is idempotent.
        if (unifiedMountPoint is not null) _sys.MakeDirectories(Path.Combine(unifiedMountPoint, name));
        try
        {
            Apply(name, limits);
        }
        catch
        {
            Remove(name);
            throw;
        }
    }

    public void Update(string name, CgroupLimits limits) => Apply(name, limits with { Devices = [] });

    private void Apply(string name, CgroupLimits limits)
    {
        // Each limit on the container's group, then mirrored on its leaf (made here), where the container sees it.
        if (limits.RequestsMemory)
            foreach (string dir in LimitedAndLeaf("memory", name))
            {
                if (limits.MemoryBytes is { } memory)
                {
                    CgroupFiles.Write(_sys, dir, "memory.limit_in_bytes", memory.ToString(CultureInfo.InvariantCulture));
                    // memory+swap, by default to the same total: no swapping past the limit (needs swap accounting: swapaccount=1).
                    _sys.WriteKernelFileIfPresent(Path.Combine(dir, "memory.memsw.limit_in_bytes"), (limits.MemorySwapBytes ?? memory).ToString(CultureInfo.InvariantCulture));
                }
                if (limits.MemoryReservation is { } soft) CgroupFiles.Write(_sys, dir, "memory.soft_limit_in_bytes", soft.ToString(CultureInfo.InvariantCulture));
                if (limits.KernelMemory is { } kernel) CgroupFiles.Write(_sys, dir, "memory.kmem.limit_in_bytes", kernel.ToString(CultureInfo.InvariantCulture));
                if (limits.KernelTcpMemory is { } tcp) CgroupFiles.Write(_sys, dir, "memory.kmem.tcp.limit_in_bytes", tcp.ToString(CultureInfo.InvariantCulture));
                if (limits.MemorySwappiness is { } swappiness) CgroupFiles.Write(_sys, dir, "memory.swappiness", swappiness.ToString(CultureInfo.InvariantCulture));
                if (limits.DisableOomKiller) CgroupFiles.Write(_sys, dir, "memory.oom_control", "1");
            }
        if (limits.PidsLimit is { } pids)
            foreach (string dir in LimitedAndLeaf("pids", name))
                CgroupFiles.Write(_sys, dir, "pids.max", pids > 0 ? pids.ToString(CultureInfo.InvariantCulture) : "max");
        if (limits.RequestsCpu)
            foreach (string dir in LimitedAndLeaf("cpu", name))
            {
                if (limits.CpuQuotaMicros is not null || limits.CpuPeriod is not null)
                    CgroupFiles.Write(_sys, dir, "cpu.cfs_period_us", limits.Period.ToString(CultureInfo.InvariantCulture));
                if (limits.CpuQuotaMicros is { } quota)
                    CgroupFiles.Write(_sys, dir, "cpu.cfs_quota_us", quota.ToString(CultureInfo.InvariantCulture));
                if (limits.CpuShares is { } shares)
                    CgroupFiles.Write(_sys, dir, "cpu.shares", shares.ToString(CultureInfo.InvariantCulture));
            }
        // The group's own CPUs and nodes, after the parent's were copied in (Create): a task joins the group itself.
        if (limits.CpusetCpus is { } cpus) CgroupFiles.Write(_sys, Dir("cpuset", name), "cpuset.cpus", cpus);
        if (limits.CpusetMems is { } mems) CgroupFiles.Write(_sys, Dir("cpuset", name), "cpuset.mems", mems);
        // No leaf for devices: devices.allow needs CAP_SYS_ADMIN of the host's user namespace (devcgroup_update_access).
        if (limits.Devices.Count > 0 && controllers.ContainsKey("devices")) WriteDeviceRules(Dir("devices", name), limits.Devices);
    }

    /// <summary>The controller's directory of the container, then its leaf, made now (see <see cref="CgroupNames.Leaf"/>).</summary>
    private string[] LimitedAndLeaf(string controller, string name)
    {
        string dir = Dir(controller, name), leaf = Path.Combine(dir, CgroupNames.Leaf);
        _sys.MakeDirectory(leaf, 0x1ed); // false when made already: cpu,cpuacct is one hierarchy
        return [dir, leaf];
    }

    /// <summary>In order, each run of allow (or deny) rules through one open of its file: deny all, then a dozen allows.</summary>
    private void WriteDeviceRules(string dir, IReadOnlyList<DeviceRule> rules)
    {
        for (int start = 0; start < rules.Count;)
        {
            bool allow = rules[start].Allow;
            var lines = new List<string>();
            for (; start < rules.Count && rules[start].Allow == allow; start++) lines.Add(rules[start].ToV1Line() + "\n"); // as echo writes it
            _sys.WriteKernelFile(Path.Combine(dir, allow ? "devices.allow" : "devices.deny"), [.. lines]);
        }
    }

    /// <summary>
    /// A new cpuset cgroup has no CPUs or memory nodes, and a task cannot join it until they are copied from its parent:
    /// top down, each group's copied when empty, then minirun/'s cgroup.clone_children set, after which the kernel copies
    /// them into each new group at mkdir (cgroup-v1/cgroups.rst): from then on, one read.
    /// </summary>
    private void InheritCpuset(string hierarchy, string name)
    {
        string leaf = Path.Combine(hierarchy, name);
        string? above = Path.GetDirectoryName(leaf);
        if (above is not null && above != hierarchy && _sys.ReadKernelFile(Path.Combine(above, "cgroup.clone_children"))?.Trim() == "1") return;
        string parent = hierarchy;
        foreach (string part in name.Split('/'))
        {
            string child = Path.Combine(parent, part);
            _sys.CopyKernelFileIfEmpty(Path.Combine(parent, "cpuset.cpus"), Path.Combine(child, "cpuset.cpus"));
            _sys.CopyKernelFileIfEmpty(Path.Combine(parent, "cpuset.mems"), Path.Combine(child, "cpuset.mems"));
            parent = child;
        }
        if (above is not null && above != hierarchy) CgroupFiles.Write(_sys, above, "cgroup.clone_children", "1");
    }

    private void Require(bool requested, string flag, string controller)
    {
        if (requested && !controllers.ContainsKey(controller))
            throw CgroupFiles.Missing(flag, controller, Version, "/proc/self/mountinfo's cgroup mounts");
    }

    public IReadOnlyList<string> SelfJoinFiles(string name, CgroupLimits limits)
    {
        var files = new List<string>();
        foreach (string dir in HierarchyProcessDirectories(name, limits)) files.Add(Path.Combine(dir, "tasks"));
        return files;
    }

    public string? EarlyJoinDirectory(string name, CgroupLimits limits) => unifiedMountPoint is null ? null : Path.Combine(unifiedMountPoint, name);

    /// <summary>
    /// cpuacct.usage, memory.usage_in_bytes less memory.stat's total_inactive_file, memory.limit_in_bytes (v1's "no
    /// limit" is the largest page-aligned number), blkio's bytes (the throttle layer's, which every device has; CFQ's
    /// when that is empty), pids.current: each read on the container's group, whose counters take in its leaf.
    /// </summary>
    public CgroupUsage ReadUsage(string name)
    {
        string? Group(string controller) => controllers.TryGetValue(controller, out string? hierarchy) ? Path.Combine(hierarchy, name) : null;
        string? memory = Group("memory"), blkio = Group("blkio");
        long usage = memory is null ? 0 : CgroupFiles.ReadNumber(memory, "memory.usage_in_bytes") ?? 0;
        long? limit = memory is null ? null : CgroupFiles.ReadNumber(memory, "memory.limit_in_bytes");
        string? io = blkio is null ? null : KernelFiles.TryReadAll(Path.Combine(blkio, "blkio.throttle.io_service_bytes_recursive"));
        if (blkio is not null && CgroupFiles.ReadBlockIo(io) == (0, 0)) io = KernelFiles.TryReadAll(Path.Combine(blkio, "blkio.io_service_bytes_recursive"));
        (long read, long write) = CgroupFiles.ReadBlockIo(io);
        return new CgroupUsage(
            Group("cpuacct") is { } cpu ? CgroupFiles.ReadNumber(cpu, "cpuacct.usage") ?? 0 : 0,
            memory is null ? 0 : CgroupUsage.WithoutInactiveFile(usage, CgroupFiles.ReadCounter(memory, "memory.stat", "total_inactive_file")),
            limit is > 0 and < long.MaxValue - 0xfff ? limit : null,
            read, write,
            Group("pids") is { } pids ? CgroupFiles.ReadNumber(pids, "pids.current") ?? 0 : 0);
    }

    /// <summary>v1 counts a kill on the victim's own group only (memcg_memory_event): the leaf, under a memory limit.</summary>
    public bool WasOomKilled(string name) =>
        controllers.ContainsKey("memory") && (CgroupFiles.ReadCounter(Dir("memory", name), "memory.oom_control", "oom_kill") > 0 ||
                                              CgroupFiles.ReadCounter(Path.Combine(Dir("memory", name), CgroupNames.Leaf), "memory.oom_control", "oom_kill") > 0);

    /// <summary>freezer.state: FROZEN, read back until the kernel has gone through FREEZING (cgroup-v1/freezer-subsystem.rst).</summary>
    public void Freeze(string name)
    {
        if (!controllers.ContainsKey("freezer"))
            throw new MiniRunException("cannot pause the container: no freezer cgroup controller is mounted (see `minirun doctor`)");
        string dir = Dir("freezer", name);
        CgroupFreezer.Freeze(dir, () => CgroupFiles.Write(_sys, dir, "freezer.state", "FROZEN"),
            () => CgroupFreezer.Reads(dir, "freezer.state", "FROZEN"), () => Thaw(name));
    }

    public void Thaw(string name)
    {
        if (controllers.ContainsKey("freezer")) CgroupFiles.Write(_sys, Dir("freezer", name), "freezer.state", "THAWED");
    }

    public void Remove(string name)
    {
        _sys.Explain("the container's leaves go first (a cgroup with a child cannot be removed), then its groups, once the last process is gone");
        foreach (string hierarchy in Hierarchies)
        {
            string dir = Path.Combine(hierarchy, name);
            if (MayHoldLimit(hierarchy)) _sys.RemoveDirectory(Path.Combine(dir, CgroupNames.Leaf)); // absent without a limit
            _sys.RemoveDirectory(dir);
        }
        if (unifiedMountPoint is not null) _sys.RemoveDirectory(Path.Combine(unifiedMountPoint, name));
    }

    private bool MayHoldLimit(string hierarchy) => HoldsLimit(hierarchy, new CgroupLimits { MemoryBytes = 0, PidsLimit = 0, Cpus = 0 });
}
