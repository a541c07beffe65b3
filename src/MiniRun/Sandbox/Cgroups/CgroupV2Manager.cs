using MiniRun.Native;
using System.Globalization;

namespace MiniRun.Sandbox.Cgroups;

/// <summary>
/// cgroup v2 (Documentation/admin-guide/cgroup-v2.rst): one unified tree. Controllers must be enabled in every
/// ancestor's cgroup.subtree_control; only those listed in the root's cgroup.controllers exist here (on a hybrid
/// machine the others are bound to v1 hierarchies). Device access is a BPF program in v2 (<see cref="DeviceProgram"/>),
/// attached to the container's group as runc and crun do.
/// Root's groups are below the mount; a rootless user's below the group delegated to it (<paramref name="root"/>, see
/// <see cref="CgroupDelegation"/>), as crun puts rootless Podman's below user@UID.service: the same files are written
/// there, the kernel checking them against the user's ownership instead of root's.
/// </summary>
/// <param name="root">the group minirun/&lt;id&gt; is made in: the mount (null), or a delegated group below it.</param>
public sealed class CgroupV2Manager(string mountPoint, ISyscalls? sys = null, string? root = null) : ICgroupManager
{
    private readonly ISyscalls _sys = sys ?? LinuxSyscalls.Instance;
    private readonly string _root = root ?? mountPoint;

    public string Version => "v2";

    public string MountPoint => mountPoint;

    /// <summary>Where containers' groups are made: the mount, or the group delegated to a rootless user.</summary>
    public string Root => _root;

    public IReadOnlyList<string> Controllers
    {
        get
        {
            string path = Path.Combine(_root, "cgroup.controllers");
            return File.Exists(path) ? File.ReadAllText(path).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : [];
        }
    }

    public IReadOnlyList<string> Directories(string name) => [Path.Combine(_root, name)];

    public List<MountRecord> MountsInside(string rootfs, bool privileged) => CgroupMounts.Cgroups(rootfs, [], unified: true, privileged);

    public IReadOnlyList<string> ProcessDirectories(string name, CgroupLimits limits) =>
        [HoldsLimit(limits) ? Path.Combine(_root, name, CgroupNames.Leaf) : Path.Combine(_root, name)];

    /// <summary>Any limit gets the container a leaf below its group (see <see cref="CgroupNames.Leaf"/>): nsdelegate is not always on.</summary>
    private static bool HoldsLimit(CgroupLimits limits) => limits.RequestsMemory || limits.RequestsPids || limits.RequestsCpu;

    public void Create(string name, CgroupLimits limits)
    {
        IReadOnlyList<string> available = Controllers;
        var needed = new List<string>();
        Need(limits.RequestsMemory, "--memory", "memory");
        Need(limits.RequestsPids, "--pids-limit", "pids");
        Need(limits.RequestsCpu, "--cpus/--cpu-shares", "cpu");
        Need(limits.RequestsCpuset, "linux.resources.cpu.cpus/mems", "cpuset");
        if (limits.RequestsV1MemoryOnly)
            throw new MiniRunException("linux.resources.memory: kernel, kernelTCP, swappiness and disableOOMKiller exist only in cgroup v1; this host's containers are limited through v2: leave them out");

        // Enable what is needed in each ancestor (the root, minirun/ and, with a leaf, the group), top down ("no internal
        // process" rule: processes in leaves only). The init stage may have made (and joined) them already: mkdir -p.
        string group = Path.Combine(_root, name);
        string dir = _root;
        foreach (string part in (HoldsLimit(limits) ? name + "/" + CgroupNames.Leaf : name).Split('/'))
        {
            if (needed.Count > 0) EnableControllers(dir, string.Join(' ', needed.Select(c => "+" + c)));
            dir = Path.Combine(dir, part);
            _sys.Explain("a cgroup is a directory; the kernel fills it with the controllers' files");
            _sys.MakeDirectories(dir);
        }
        try
        {
            Apply(group, limits);
            if (dir != group) Apply(dir, limits); // the leaf's mirror of the limits, what the container sees
            // Not in a delegated group: a user namespace may load no device program (BPF needs CAP_SYS_ADMIN on the host);
            // rootless devices are the host's bound in, opened as far as the host lets the user (runc ignores it rootless too).
            if (limits.Devices.Count > 0 && _root == mountPoint) DeviceProgram.Attach(_sys, group, limits.Devices);
        }
        catch
        {
            Remove(name);
            throw;
        }

        void Need(bool requested, string flag, string controller)
        {
            if (!requested) return;
            if (!available.Contains(controller)) throw CgroupFiles.Missing(flag, controller, Version, _root);
            needed.Add(controller);
        }
    }

    /// <summary>
    /// "+memory +pids" into a group's cgroup.subtree_control. A group with processes of its own takes none (EBUSY, the
    /// "no internal process" rule): the delegated group's were moved aside (<see cref="CgroupDelegation.MoveProcessesAside"/>)
    /// before the stage was spawned; one that came back since (minirun's own: MigrationWarmup's move into the group it
    /// had read as its own) is moved again, once; a group that still holds some is refused in one line.
    /// </summary>
    private void EnableControllers(string dir, string line)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                CgroupFiles.Write(_sys, dir, "cgroup.subtree_control", line);
                return;
            }
            catch (NativeException e) when (e.Errno == Errnos.EBUSY && dir == _root && _root != mountPoint)
            {
                if (attempt > 0) throw CgroupDelegation.HoldsProcesses(dir, line);
                new CgroupDelegation(_root, Controllers, null).MoveProcessesAside(_sys);
            }
        }
    }

    public void Update(string name, CgroupLimits limits)
    {
        string group = Path.Combine(_root, name), leaf = Path.Combine(group, CgroupNames.Leaf);
        Apply(group, limits);
        if (Directory.Exists(leaf)) Apply(leaf, limits);
    }

    private void Apply(string dir, CgroupLimits limits)
    {
        if (limits.MemoryBytes is { } memory)
        {
            CgroupFiles.Write(_sys, dir, "memory.max", memory.ToString(CultureInfo.InvariantCulture));
            // In v2 swap is limited on its own: 0 gives memory+swap = --memory, as memsw does in v1.
            string swap = limits.MemorySwapBytes switch { null => "0", -1 => "max", long total => Math.Max(0, total - memory).ToString(CultureInfo.InvariantCulture) };
            _sys.WriteKernelFileIfPresent(Path.Combine(dir, "memory.swap.max"), swap); // present with swap accounting
        }
        if (limits.MemoryReservation is { } soft) CgroupFiles.Write(_sys, dir, "memory.low", soft.ToString(CultureInfo.InvariantCulture));
        if (limits.PidsLimit is { } pids)
            CgroupFiles.Write(_sys, dir, "pids.max", pids > 0 ? pids.ToString(CultureInfo.InvariantCulture) : "max");
        if (limits.CpuQuotaMicros is not null || limits.CpuPeriod is not null)
            CgroupFiles.Write(_sys, dir, "cpu.max", $"{(limits.CpuQuotaMicros is { } quota ? quota.ToString(CultureInfo.InvariantCulture) : "max")} {limits.Period}");
        if (limits.CpusetCpus is { } cpus) CgroupFiles.Write(_sys, dir, "cpuset.cpus", cpus);
        if (limits.CpusetMems is { } mems) CgroupFiles.Write(_sys, dir, "cpuset.mems", mems);
        if (limits.CpuShares is { } shares)
            CgroupFiles.Write(_sys, dir, "cpu.weight", CgroupLimits.SharesToWeight(shares).ToString(CultureInfo.InvariantCulture));
    }

    public IReadOnlyList<string> SelfJoinFiles(string name, CgroupLimits limits) => [];

    public string? EarlyJoinDirectory(string name, CgroupLimits limits) => ProcessDirectories(name, limits)[0];

    /// <summary>cpu.stat's usage_usec, memory.current less memory.stat's inactive_file, memory.max, io.stat, pids.current (cgroup-v2.rst).</summary>
    public CgroupUsage ReadUsage(string name)
    {
        string dir = Path.Combine(_root, name);
        long usage = CgroupFiles.ReadNumber(dir, "memory.current") ?? 0;
        (long read, long write) = CgroupFiles.ReadBlockIo(KernelFiles.TryReadAll(Path.Combine(dir, "io.stat")));
        return new CgroupUsage(CgroupFiles.ReadCounter(dir, "cpu.stat", "usage_usec") * 1000,
            CgroupUsage.WithoutInactiveFile(usage, CgroupFiles.ReadCounter(dir, "memory.stat", "inactive_file")),
            CgroupFiles.ReadNumber(dir, "memory.max"), read, write, CgroupFiles.ReadNumber(dir, "pids.current") ?? 0);
    }

    public bool WasOomKilled(string name) => CgroupFiles.ReadCounter(Path.Combine(_root, name), "memory.events", "oom_kill") > 0;

    /// <summary>cgroup.freeze: 1, then cgroup.events until it says "frozen 1" (cgroup-v2.rst; every non-root cgroup has both).</summary>
    public void Freeze(string name)
    {
        string dir = Path.Combine(_root, name);
        bool requested = false;
        CgroupFreezer.Freeze(dir, () =>
            {
                if (!requested) CgroupFiles.Write(_sys, dir, "cgroup.freeze", "1");
                requested = true;
            },
            () => CgroupFiles.ReadCounter(dir, "cgroup.events", "frozen") == 1, () => Thaw(name));
    }

    public void Thaw(string name) => CgroupFiles.Write(_sys, Path.Combine(_root, name), "cgroup.freeze", "0");

    /// <summary>The leaf, then the group; the device program goes with the group (its last reference is the attachment).</summary>
    public void Remove(string name)
    {
        _sys.Explain("the container's leaf goes first (a cgroup with a child cannot be removed), then its group, once its last process is gone");
        _sys.RemoveDirectory(Path.Combine(_root, name, CgroupNames.Leaf));
        _sys.RemoveDirectory(Path.Combine(_root, name));
    }
}
