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
    /// Everything between a stage's set-up and its execve, in one order for the init and the exec stage: a session
    /// keyring of its own (keyctl, which the filter then refuses), the seccomp filter while CAP_SYS_ADMIN is still held
    /// (loading one needs it or no_new_privs), the user and capabilities, runc's umask 0022, descriptors from 3 up
    /// close-on-exec, then no_new_privs if asked, and with it the filter last, as runc orders them. Filters are per
    /// thread: this is the thread that execve()s. Each call after the filter (prctl, setgroups, setresuid, capset,
    /// umask, close_range, execve) is one Docker's default profile allows.
    /// </summary>
    public static void BecomeCommand(ulong capabilities, int lastCapability, IReadOnlyList<uint> groups, uint uid, uint gid, bool noNewPrivileges,
        string? sessionKeyring = null, byte[]? seccompFilter = null)
    {
        if (sessionKeyring is not null) SecuritySyscalls.JoinSessionKeyring(sessionKeyring);
        if (seccompFilter is not null && !noNewPrivileges) SecuritySyscalls.LoadSeccompFilter(seccompFilter);
        Apply(capabilities, lastCapability, groups, uid, gid);
        Syscalls.SetUmask(0x12);
        ProcessControl.CloseOnExecFrom3();
        if (!noNewPrivileges) return;
        SecuritySyscalls.SetNoNewPrivileges();
        if (seccompFilter is not null) SecuritySyscalls.LoadSeccompFilter(seccompFilter);
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
