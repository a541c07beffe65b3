using MiniRun.Native;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Sandbox;

/// <summary>
/// The last privileged steps of every container process (init and exec alike), in runc's order, written once against
/// the seam: a session keyring of its own (keyctl, which the filter then refuses), runc's umask 0022 (or the spec's),
/// descriptors from 3 up close-on-exec, the seccomp filter while CAP_SYS_ADMIN is still held (loading one needs it or
/// no_new_privs), the user and capabilities (<see cref="ISyscalls.SetCredentials"/>: a non-root user's sets then empty
/// at execve, as in Docker), then no_new_privs if asked, and with it the filter last, right before execve, as runc
/// orders them. Filters are per thread: this is the thread that execve()s. The filter comes as late as it can: a
/// profile may be older than the calls minirun makes (close_range), and after it only prctl, setgroups, setresuid,
/// capset and execve remain, which every profile that lets a container start allows.
/// </summary>
public static class PrivilegeDrop
{
    public static void BecomeCommand(ISyscalls sys, Credentials credentials, bool noNewPrivileges, string? sessionKeyring = null,
        SeccompFilter? seccomp = null, IReadOnlyList<ResourceLimit>? limits = null, uint umask = StageProcess.DefaultUmask)
    {
        foreach (ResourceLimit limit in limits ?? []) sys.SetResourceLimit(limit.Type, limit.Resource, limit.Soft, limit.Hard);
        if (sessionKeyring is not null) sys.JoinSessionKeyring(sessionKeyring);
        sys.Explain(umask == StageProcess.DefaultUmask ? "runc's umask for container processes" : "the umask the spec asks for");
        sys.SetUmask(umask);
        sys.CloseOnExecFrom(3);
        if (seccomp is not null && !noNewPrivileges) sys.LoadSeccompFilter(seccomp.Program, seccomp.Source);
        sys.Explain("keep only the container's capabilities in the bounding set, then become the user (capabilities(7))");
        sys.SetCredentials(credentials);
        if (!noNewPrivileges) return;
        sys.SetNoNewPrivileges();
        if (seccomp is not null) sys.LoadSeccompFilter(seccomp.Program, seccomp.Source);
    }
}
