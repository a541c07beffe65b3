using MiniRun.Explain;
using MiniRun.Native;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Containers;

/// <summary>
/// Takes down what a container leaves on the host once its processes are gone, in the one order that works: its cgroup
/// (each manager removes the limits' leaves first, then the groups: rmdir(2) of a group that has children is EBUSY),
/// its overlay mount, then, when the container is to go, its directory (renamed under tmp/ first, see
/// <see cref="ContainerStore.Delete"/>). The runner does it when the command has exited, `rm` and `prune` for a stopped
/// container, `system check --repair` for one whose minirun was killed. Each step is a no-op when already done, so a
/// teardown that a crash interrupted is simply done again.
/// </summary>
public static class ContainerTeardown
{
    /// <param name="cgroups">the runner's manager (null when it made no cgroup), or the host's for a crash's leftover
    /// (<see cref="CgroupDetector.Detect"/>).</param>
    /// <param name="delete">the directory goes too (--rm, rm, prune); otherwise it stays, with its record and upper dir.</param>
    /// <param name="sys">the seam the unmount goes through (--explain shows the teardown; the manager has its own).</param>
    public static void Run(ContainerStore containers, Container container, ICgroupManager? cgroups, bool delete, ISyscalls? sys = null)
    {
        if (!delete) File.Delete(Path.Combine(container.Directory, ContainerStore.PausedMark)); // its processes are gone: nothing is frozen
        // Without a PID namespace of its own, PID 1's exit ends no other process: those left are killed (runc does too).
        if (container.Record.Namespaces.PidHost && cgroups is not null) CgroupProcesses.KillAll(cgroups, CgroupNames.For(container.Id));
        if (container.Record.Namespaces.IpcShareable) ContainerIpc.UnmountShm(sys ?? LinuxSyscalls.Instance, container.Directory);
        Run(containers, container.Id, container.Directory, cgroups, delete ? () =>
        {
            sys?.Describe($"rm -rf {ShellQuote.Quote(container.Directory)}", "the container's directory goes too", alreadyDone: false);
            containers.Delete(container);
        } : null, sys ?? LinuxSyscalls.Instance);
    }

    /// <summary>A directory under containers/ whose record is missing or unreadable: its name is its ID, it holds no name.</summary>
    public static void RunUnreadable(ContainerStore containers, string directory) =>
        Run(containers, Path.GetFileName(directory), directory, CgroupDetector.Detect(), () => containers.DeleteUnreadable(directory), LinuxSyscalls.Instance);

    private static void Run(ContainerStore containers, string id, string directory, ICgroupManager? cgroups, Action? deleteDirectory, ISyscalls sys)
    {
        // Its network first (CNI DEL with the kept results, the namespace's mount), so that the directory can go; a
        // failed DEL is told once the rest is done, and its record stays for `system check --repair`.
        MiniRunException? network = null;
        try { ContainerNetworking.Release(containers.Paths, id, directory, sys); }
        catch (MiniRunException e) { network = e; }
        cgroups?.Remove(CgroupNames.For(id)); // its processes are gone: PID 1's exit ends its PID namespace (pid_namespaces(7))
        ContainerSnapshotter.Unmount(sys, Path.Combine(directory, ContainerSnapshotter.MergedDirectory));
        if (network is not null) throw network;
        deleteDirectory?.Invoke();
    }
}
