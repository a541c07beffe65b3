using MiniRun.Explain;
using MiniRun.Native;
using System.Globalization;

namespace MiniRun.Sandbox.Cgroups;

/// <summary>
/// cgroup v1 (Documentation/admin-guide/cgroup-v1): one hierarchy per controller (or co-mounted group, such as
/// cpu,cpuacct), so the container gets a directory minirun/&lt;id&gt; in each, and its PID is written to each.
/// </summary>
public sealed class CgroupV1Manager(IReadOnlyDictionary<string, string> controllers, IStepNarrator? narrator = null) : ICgroupManager
{
    public string Version => "v1";

    public IReadOnlyList<string> Controllers { get; } = controllers.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Each mounted hierarchy once (co-mounted controllers share one).</summary>
    private List<string> Hierarchies { get; } = DistinctValues(controllers);

    private static List<string> DistinctValues(IReadOnlyDictionary<string, string> controllers)
    {
        var hierarchies = new List<string>();
        foreach (string hierarchy in controllers.Values)
            if (!hierarchies.Contains(hierarchy)) hierarchies.Add(hierarchy);
        return hierarchies;
    }

    public IReadOnlyList<string> Directories(string name)
    {
        var dirs = new List<string>(); // a loop: LINQ on the way to a start costs NativeAOT run-time generic lookups
        foreach (string hierarchy in Hierarchies) dirs.Add(Path.Combine(hierarchy, name));
        return dirs;
    }

    private string Dir(string controller, string name) => Path.Combine(controllers[controller], name);

    public void Create(string name, CgroupLimits limits)
    {
        Require(limits.RequestsMemory, "--memory", "memory");
        Require(limits.RequestsPids, "--pids-limit", "pids");
        Require(limits.RequestsCpu, "--cpus/--cpu-shares", "cpu");
        foreach (string hierarchy in Hierarchies)
        {
            string dir = Path.Combine(hierarchy, name);
            CgroupFiles.MakeDirectory(narrator, dir);
            // A new cpuset cgroup has no CPUs or memory nodes; a task cannot join until they are copied from the parent.
            if (controllers.TryGetValue("cpuset", out string? cpuset) && cpuset == hierarchy) InheritCpuset(hierarchy, name);
        }
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

    private void Apply(string name, CgroupLimits limits)
    {
        if (limits.MemoryBytes is { } memory)
        {
            string dir = Dir("memory", name);
            string bytes = memory.ToString(CultureInfo.InvariantCulture);
            CgroupFiles.Write(narrator, dir, "memory.limit_in_bytes", bytes);
            // memory+swap to the same total: no swapping past the limit (needs swap accounting: swapaccount=1).
            // --dry-run creates no cgroup to look in: ask the hierarchy's root, which has the file whenever its cgroups do.
            string probe = narrator is { Performs: false } ? controllers["memory"] : dir;
            if (File.Exists(Path.Combine(probe, "memory.memsw.limit_in_bytes"))) CgroupFiles.Write(narrator, dir, "memory.memsw.limit_in_bytes", bytes);
        }
        if (limits.PidsLimit is { } pids)
            CgroupFiles.Write(narrator, Dir("pids", name), "pids.max", pids > 0 ? pids.ToString(CultureInfo.InvariantCulture) : "max");
        if (limits.CpuQuotaMicros is { } quota)
        {
            CgroupFiles.Write(narrator, Dir("cpu", name), "cpu.cfs_period_us", CgroupLimits.CpuPeriodMicros.ToString(CultureInfo.InvariantCulture));
            CgroupFiles.Write(narrator, Dir("cpu", name), "cpu.cfs_quota_us", quota.ToString(CultureInfo.InvariantCulture));
        }
        if (limits.CpuShares is { } shares)
            CgroupFiles.Write(narrator, Dir("cpu", name), "cpu.shares", shares.ToString(CultureInfo.InvariantCulture));
        if (limits.Devices.Count > 0 && controllers.ContainsKey("devices")) WriteDeviceRules(Dir("devices", name), limits.Devices);
    }

    /// <summary>In order, each run of allow (or deny) rules through one open of its file: deny all, then a dozen allows.</summary>
    private void WriteDeviceRules(string dir, IReadOnlyList<DeviceRule> rules)
    {
        for (int start = 0; start < rules.Count;)
        {
            bool allow = rules[start].Allow;
            var lines = new List<string>();
            for (; start < rules.Count && rules[start].Allow == allow; start++) lines.Add(rules[start].ToV1Line());
            CgroupFiles.Write(narrator, dir, allow ? "devices.allow" : "devices.deny", lines);
        }
    }

    private void InheritCpuset(string hierarchy, string name)
    {
        string leaf = Path.Combine(hierarchy, name);
        bool dryRun = narrator is { Performs: false }; // --dry-run: the directories are not there to look at
        // Usually the kernel has copied both already (cgroup.clone_children, set below the first time): two reads.
        if (!dryRun && HasValue(leaf, "cpuset.cpus") && HasValue(leaf, "cpuset.mems")) return;
        string parent = hierarchy;
        foreach (string part in name.Split('/'))
        {
            string child = Path.Combine(parent, part);
            foreach (string file in new[] { "cpuset.cpus", "cpuset.mems" })
            {
                string target = Path.Combine(child, file);
                if (dryRun)
                    narrator!.Narrate(new Step($"[ -s {ShellQuote.Quote(target)} ] || cat {ShellQuote.Quote(Path.Combine(parent, file))} > {ShellQuote.Quote(target)}",
                        "a new cpuset cgroup has no CPUs or memory nodes until they are copied from its parent"));
                else if (!HasValue(child, file))
                    CgroupFiles.Write(narrator, child, file, (KernelFiles.TryReadAll(Path.Combine(parent, file)) ?? "").Trim());
            }
            parent = child;
        }
        // The next containers' cpusets are copied by the kernel at mkdir (cgroup-v1/cgroups.rst: cgroup.clone_children).
        if (!dryRun && Path.GetDirectoryName(leaf) is { } above && above != hierarchy)
            CgroupFiles.Write(narrator, above, "cgroup.clone_children", "1");
    }

    private static bool HasValue(string dir, string file) => KernelFiles.TryReadAll(Path.Combine(dir, file)) is { } value && value.Trim().Length > 0;

    private void Require(bool requested, string flag, string controller)
    {
        if (requested && !controllers.ContainsKey(controller))
            throw CgroupFiles.Missing(flag, controller, Version, "/proc/self/mountinfo's cgroup mounts");
    }

    public IReadOnlyList<string> SelfJoinFiles(string name)
    {
        var files = new List<string>();
        foreach (string dir in Directories(name)) files.Add(Path.Combine(dir, "tasks"));
        return files;
    }

    public bool WasOomKilled(string name) =>
        controllers.ContainsKey("memory") && CgroupFiles.ReadCounter(Dir("memory", name), "memory.oom_control", "oom_kill") > 0;

    /// <summary>freezer.state: FROZEN, read back until the kernel has gone through FREEZING (cgroup-v1/freezer-subsystem.rst).</summary>
    public void Freeze(string name)
    {
        if (!controllers.ContainsKey("freezer"))
            throw new MiniRunException("cannot pause the container: no freezer cgroup controller is mounted (see `minirun doctor`)");
        string dir = Dir("freezer", name);
        CgroupFreezer.Freeze(dir, () => CgroupFiles.Write(dir, "freezer.state", "FROZEN"),
            () => CgroupFreezer.Reads(dir, "freezer.state", "FROZEN"), () => Thaw(name));
    }

    public void Thaw(string name)
    {
        if (controllers.ContainsKey("freezer")) CgroupFiles.Write(Dir("freezer", name), "freezer.state", "THAWED");
    }

    public void Remove(string name)
    {
        foreach (string dir in Directories(name)) CgroupFiles.RemoveDirectory(dir);
    }
}
