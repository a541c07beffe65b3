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

    /// <summary>The cgroup's directories (one per v1 hierarchy; one for v2).</summary>
    IReadOnlyList<string> Directories(string name);

    /// <summary>Creates the cgroup and writes the limits; fails naming the controller when one is missing.</summary>
    void Create(string name, CgroupLimits limits);

    /// <summary>Moves a process into the cgroup (writes its PID to cgroup.procs).</summary>
    void AddProcess(string name, int pid);

    /// <summary>True when the kernel's OOM killer killed a process of this cgroup.</summary>
    bool WasOomKilled(string name);

    /// <summary>Removes the cgroup once its processes are gone (retrying briefly on EBUSY); nothing happens when it is absent.</summary>
    void Remove(string name);
}
