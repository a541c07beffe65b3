using MiniRun.Native;
namespace MiniRun.Sandbox.Cgroups;

/// <summary>
/// A container's cgroup, whichever version the machine uses: cgroup v1 (one directory per controller hierarchy) or
/// cgroup v2 (one unified directory). Chosen at run time by <see cref="CgroupDetector"/>.
/// </summary>
public interface ICgroupManager
{
    /// <summary>"v1" or "v2".</summary>
    string Version { get; }

    /// <summary>The controllers a container's cgroup can use here.</summary>
    IReadOnlyList<string> Controllers { get; }

    /// <summary>The cgroup's directories (one per v1 hierarchy, and the unified one on a hybrid host; one for v2).</summary>
    IReadOnlyList<string> Directories(string name);

    /// <summary>
    /// Where the container's processes live: each directory, or its <see cref="CgroupNames.Leaf"/> where the directory
    /// holds a limit (see there). The container's cgroup namespace is rooted at these.
    /// </summary>
    IReadOnlyList<string> ProcessDirectories(string name, CgroupLimits limits);

    /// <summary>/sys/fs/cgroup inside the container (<see cref="CgroupMounts.Cgroups"/>) for this host's hierarchies.</summary>
    List<MountRecord> MountsInside(string rootfs, bool privileged);

    /// <summary>Creates the cgroup and writes the limits; fails naming the controller when one is missing.</summary>
    void Create(string name, CgroupLimits limits);

    /// <summary>Writes new limits into an existing cgroup (the OCI runtime's update); its device rules are left as they are.</summary>
    void Update(string name, CgroupLimits limits);

    /// <summary>
    /// The files a stage of ours (init, exec) writes "0" to, first thing, to join the cgroup itself. v1: each
    /// hierarchy's <c>tasks</c>, which moves the writing thread alone: no RCU grace period, where moving a whole process
    /// (cgroup.procs) waits for one, about 6 ms, once the largest single cost of a start (cgroup_procs_write_start in
    /// kernel/cgroup/cgroup.c). Only "0" skips it: a thread moved by another, even by its TID, takes the same global
    /// lock (measured: the parent writing the stage's PID made starts slower, with 15 ms outliers). That thread is the
    /// one that execve()s, so the command is wholly inside.
    /// v2: none; its one group is joined early (<see cref="EarlyJoinDirectory"/>).
    /// </summary>
    IReadOnlyList<string> SelfJoinFiles(string name, CgroupLimits limits);

    /// <summary>
    /// The group of the unified (v2) hierarchy a stage moves its whole process into through <c>cgroup.procs</c>,
    /// making it when missing, as soon as it has its spec: a domain cgroup takes no thread alone, and that move waits
    /// for an RCU grace period (see <see cref="SelfJoinFiles"/>), which then passes while the parent creates the rest.
    /// v2: the container's group; hybrid: its group in the unified hierarchy, as runc makes one; v1 alone: none.
    /// </summary>
    string? EarlyJoinDirectory(string name, CgroupLimits limits);

    /// <summary>What the cgroup has counted (`stats`): CPU, memory, block I/O, processes; zeros when it is gone.</summary>
    CgroupUsage ReadUsage(string name);

    /// <summary>True when the kernel's OOM killer killed a process of this cgroup.</summary>
    bool WasOomKilled(string name);

    /// <summary>
    /// Stops every process of the cgroup (the freezer) and returns once all are stopped: `commit` and `export` read a
    /// running container's files while it is frozen, as `docker commit` pauses it. Fails, the cgroup thawed, when
    /// there is no freezer or the processes do not stop.
    /// </summary>
    void Freeze(string name);

    /// <summary>Lets the processes <see cref="Freeze"/> stopped run again.</summary>
    void Thaw(string name);

    /// <summary>Removes the cgroup (leaves first) once its processes are gone (retrying briefly on EBUSY); nothing happens when it is absent.</summary>
    void Remove(string name);
}
