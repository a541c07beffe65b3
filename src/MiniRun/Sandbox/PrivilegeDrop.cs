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
    /// <summary>
    /// Everything between a stage's set-up and its execve, in one order for the init and the exec stage: the user and
    /// capabilities, runc's umask 0022, descriptors from 3 up close-on-exec, then no_new_privs if asked.
    /// </summary>
    public static void BecomeCommand(ulong capabilities, int lastCapability, IReadOnlyList<uint> groups, uint uid, uint gid, bool noNewPrivileges)
    {
        Apply(capabilities, lastCapability, groups, uid, gid);
        Syscalls.SetUmask(0x12);
        ProcessControl.CloseOnExecFrom3();
        if (noNewPrivileges) SecuritySyscalls.SetNoNewPrivileges();
    }

    private static void Apply(ulong capabilities, int lastCapability, IReadOnlyList<uint> groups, uint uid, uint gid)
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
