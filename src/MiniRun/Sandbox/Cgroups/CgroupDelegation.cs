using MiniRun.Native;

namespace MiniRun.Sandbox.Cgroups;

/// <summary>
/// What a user without root may limit: only cgroup v2 can be handed to a user (cgroups(7) "Delegation"), by making the
/// user the owner of a subtree whose parent enables the controllers in it, as systemd does for a user's session with
/// Delegate=yes (rootless Podman's requirement too). v1 hierarchies are never delegated, and a controller that is on a
/// v1 hierarchy is not on the v2 one. Read from the filesystem, changing nothing; the tree's root is a parameter so that
/// a test can hand a directory of its own.
/// </summary>
public sealed record CgroupDelegation(string? Directory, IReadOnlyList<string> Controllers, string? Why)
{
    /// <summary>The controllers each kind of limit needs (memory also covers swap and reservation).</summary>
    private static readonly (string Controller, Func<CgroupLimits, bool> Asks, string Flags)[] Needs =
    [
        ("memory", l => l.RequestsMemory || l.MemorySwapBytes is not null, "--memory"),
        ("pids", l => l.RequestsPids, "--pids-limit"),
        ("cpu", l => l.RequestsCpu, "--cpus/--cpu-shares"),
        ("cpuset", l => l.RequestsCpuset, "--cpuset-cpus/--cpuset-mems"),
    ];

    /// <param name="v2MountPoint">the cgroup2 mount (null: none mounted).</param>
    /// <param name="procSelfCgroup">/proc/self/cgroup of the user's process: its "0::PATH" line is its v2 group.</param>
    /// <param name="uid">the user, who must own the group (and its cgroup.procs) for it to be theirs.</param>
    public static CgroupDelegation Read(string? v2MountPoint, string procSelfCgroup, int uid)
    {
        if (v2MountPoint is null) return new(null, [], "no cgroup2 filesystem is mounted");
        string? path = procSelfCgroup.Split('\n').FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..].Trim();
        if (path is null) return new(null, [], "this process is in no cgroup v2 group (/proc/self/cgroup has no 0:: line)");
        string directory = System.IO.Path.Join(v2MountPoint, path);
        if (!File.Exists(System.IO.Path.Join(directory, "cgroup.controllers")))
            return new(directory, [], $"{directory} is not a cgroup v2 group");
        string[] controllers = File.ReadAllText(System.IO.Path.Join(directory, "cgroup.controllers")).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (!OwnedBy(directory, uid) || !OwnedBy(System.IO.Path.Join(directory, "cgroup.procs"), uid))
            return new(directory, controllers, $"the user's cgroup {path} is not delegated to it (owned by root); systemd delegates one with Delegate=yes " +
                "(a user session with lingering: loginctl enable-linger USER)");
        return new(directory, controllers, null);
    }

    /// <summary>Null when every limit asked for has its controller delegated; else one line saying which and why not.</summary>
    public string? Refusal(CgroupLimits limits)
    {
        var asked = Needs.Where(n => n.Asks(limits)).ToList();
        if (asked.Count == 0) return null;
        var missing = asked.Where(n => Why is not null || !Controllers.Contains(n.Controller)).ToList();
        if (missing.Count == 0) return null;
        string flags = string.Join(", ", missing.Select(n => n.Flags));
        string controllers = string.Join(", ", missing.Select(n => n.Controller));
        string reason = Why ?? $"the delegated cgroup holds {(Controllers.Count == 0 ? "no controller" : string.Join(", ", Controllers))}";
        return $"{flags} need{(missing.Count == 1 ? "s" : "")} the {controllers} controller{(missing.Count == 1 ? "" : "s")} in a cgroup v2 subtree delegated to the user, " +
            $"and {reason}; run without {(missing.Count == 1 ? "it" : "them")}, or as root (see minirun doctor)";
    }

    private static bool OwnedBy(string path, int uid) => Syscalls.TryStat(path) is { } status && status.Uid == (uint)uid;
}
