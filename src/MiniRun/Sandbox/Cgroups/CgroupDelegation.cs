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
        // A process of a session whose delegated group minirun emptied before (MoveProcessesAside): the group is the parent.
        if (System.IO.Path.GetFileName(path) == CgroupNames.Session && System.IO.Path.GetDirectoryName(directory) is { } parent
            && OwnedBy(parent, uid) && OwnedBy(System.IO.Path.Join(parent, "cgroup.procs"), uid))
        {
            directory = parent;
            path = System.IO.Path.GetDirectoryName(path)!;
        }
        if (!File.Exists(System.IO.Path.Join(directory, "cgroup.controllers")))
            return new(directory, [], $"{directory} is not a cgroup v2 group");
        string[] controllers = File.ReadAllText(System.IO.Path.Join(directory, "cgroup.controllers")).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (!OwnedBy(directory, uid) || !OwnedBy(System.IO.Path.Join(directory, "cgroup.procs"), uid))
            return new(directory, controllers, $"the user's cgroup {path} is not delegated to it (owned by root; systemd delegates a scope of minirun's own: " +
                "systemd-run --user --scope -p Delegate=yes minirun …)");
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

    /// <summary>
    /// Empties the delegated group of processes (the user's shell, minirun itself), into <see cref="CgroupNames.Session"/>
    /// below it: a group with processes of its own can enable no controller for its children (cgroup-v2.rst "no internal
    /// process constraint"). systemd keeps user@UID.service empty the same way (its manager in init.scope), and Podman
    /// moves what sits in its group into a child of it (MoveUnderCgroupSubtree). Done before a container's stage is
    /// told its group, so no process is moved out of a container; a process that cannot be moved is left, and the
    /// write of the controllers then says so (<see cref="HoldsProcesses"/>).
    /// </summary>
    public void MoveProcessesAside(ISyscalls sys)
    {
        if (Directory is null || Why is not null || Controllers.Count == 0) return;
        string[] pids = (sys.ReadKernelFile(System.IO.Path.Join(Directory, "cgroup.procs")) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (pids.Length == 0) return;
        string aside = System.IO.Path.Join(Directory, CgroupNames.Session);
        sys.Explain("the delegated cgroup holds processes, so it could enable no controller for containers (no internal processes): they move to a child of it");
        sys.MakeDirectories(aside);
        foreach (string pid in pids)
        {
            try
            {
                sys.WriteKernelFile(System.IO.Path.Join(aside, "cgroup.procs"), pid);
            }
            catch (NativeException) // gone meanwhile (ESRCH), or not ours to move: the controllers' write says what is wrong
            {
            }
        }
    }

    /// <summary>The delegated group holds processes minirun could not move aside: no controller can be enabled below it.</summary>
    public static MiniRunException HoldsProcesses(string directory, string controllers) =>
        new($"cannot enable {controllers} in {directory}: the cgroup holds processes of its own that minirun could not move to " +
            $"{CgroupNames.Session}/ (cgroup v2 allows controllers only below a group without processes); run minirun in a delegated group of its own: " +
            "systemd-run --user --scope -p Delegate=yes minirun …");

    private static bool OwnedBy(string path, int uid) => Syscalls.TryStat(path) is { } status && status.Uid == (uint)uid;
}
