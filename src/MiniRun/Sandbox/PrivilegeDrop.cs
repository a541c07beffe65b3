using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The last privileged step of every container process (init and exec alike), in runc's order: shrink the bounding
/// set while still root with CAP_SETPCAP, keep the permitted set across the uid change (PR_SET_KEEPCAPS), switch user,
/// then effective = permitted = the container's set, inheritable and ambient empty. A non-root user's sets then empty
/// at execve, as in Docker (capabilities(7), "Transformation of capabilities during execve()").
/// </summary>
public static class PrivilegeDrop
{
    public static void Apply(ulong capabilities, int lastCapability, IReadOnlyList<uint> groups, uint uid, uint gid)
    {
        for (int cap = 0; cap <= lastCapability; cap++)
            if ((capabilities & 1UL << cap) == 0) SecuritySyscalls.DropFromBoundingSet(cap);
        SecuritySyscalls.SetKeepCapabilities(true);
        Syscalls.SetGroups(groups.ToArray());
        Syscalls.SetIds(uid, gid);
        SecuritySyscalls.SetKeepCapabilities(false);
        SecuritySyscalls.SetCapabilities(capabilities, capabilities, 0);
        SecuritySyscalls.ClearAmbientCapabilities();
    }
}
