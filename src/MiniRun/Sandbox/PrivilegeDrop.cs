using MiniRun.Native;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Sandbox;

/// <summary>
/// The last privileged steps of every container process (init and exec alike), in runc's order, written once against
/// the seam: a session keyring of its own (keyctl, which the filter then refuses), the seccomp filter while
/// CAP_SYS_ADMIN is still held (loading one needs it or no_new_privs), the user and capabilities
/// (<see cref="ISyscalls.SetCredentials"/>: a non-root user's sets then empty at execve, as in Docker), runc's umask
/// 0022, then no_new_privs if asked, and with it the filter last, as runc orders them. Descriptors from 3 up are made
/// close-on-exec first, before any filter. Filters are per thread: this is the thread that execve()s. Each call after
/// the filter (prctl, setgroups, setresuid, capset, umask, execve) is one Docker's default profile allows.
/// </summary>
public static class PrivilegeDrop
{
    public static void BecomeCommand(ISyscalls sys, Credentials credentials, bool noNewPrivileges, string? sessionKeyring = null,
        SeccompFilter? seccomp = null, IReadOnlyList<ResourceLimit>? limits = null, uint umask = StageProcess.DefaultUmask)
    {
        // First: a spec's filter may refuse close_range(2) (runtime-tools' default profile predates it, and answers EPERM).
        sys.CloseOnExecFrom(3);
        foreach (ResourceLimit limit in limits ?? []) sys.SetResourceLimit(limit.Type, limit.Resource, limit.Soft, limit.Hard);
        if (sessionKeyring is not null) sys.JoinSessionKeyring(sessionKeyring);
        if (seccomp is not null && !noNewPrivileges) sys.LoadSeccompFilter(seccomp.Program, seccomp.Source);
        sys.Explain("keep only the container's capabilities in the bounding set, then become the user (capabilities(7))");
        sys.SetCredentials(credentials);
        sys.Explain(umask == StageProcess.DefaultUmask ? "runc's umask for container processes" : "the umask the spec asks for");
        sys.SetUmask(umask);
        if (!noNewPrivileges) return;
        sys.SetNoNewPrivileges();
        if (seccomp is not null) sys.LoadSeccompFilter(seccomp.Program, seccomp.Source);
    }
}

