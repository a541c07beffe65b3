using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// What a stage (init, exec) does first and last, so that the container can neither take hold of it nor outlive its
/// runner unsupervised. A stage is visible in the container's /proc before it execve()s the command:
/// <list type="bullet">
/// <item>not dumpable (PR_SET_DUMPABLE 0): its /proc/PID/exe, fd and mem, and ptrace(2), need CAP_SYS_PTRACE, which a
/// container has not; execve(2) makes the command dumpable again, as it should be.</item>
/// <item>SIGKILL when its parent dies (PR_SET_PDEATHSIG), kept by the init stage's command across execve: the
/// container's PID 1 dies with `run` or its supervisor, and with it every process of its PID namespace
/// (pid_namespaces(7)). The signal comes when the parent's spawning thread exits, so the stages are spawned by the
/// main thread of run, the supervisor and exec (see <see cref="StageSpawner"/>).</item>
/// </list>
/// Before <see cref="Begin"/> (the runtime's start-up), a stage still holds every capability minirun has, which the
/// container's processes lack, so ptrace(2)'s capability check refuses them already; only a --privileged container
/// could get in then, and it is root on the host anyway.
/// A change of credentials clears both (prctl(2); commit_creds), so <see cref="BeforeExec"/> sets them again after
/// <see cref="PrivilegeDrop"/>. A stage's parent is outside its PID namespace, where getppid(2) says 0, so the stage
/// asks the pidfd of its parent (fd <see cref="ParentFd"/>) whether it died before a signal could be set.
/// </summary>
public static class StageGuard
{
    /// <summary>A stage's fd 4: a pidfd of the minirun process that spawned it (fd 3 is its message pipe).</summary>
    public const int ParentFd = 4;

    /// <summary>The stage's first call. False when its parent is already gone: the stage must exit.</summary>
    /// <param name="name">its name in ps (spawned from /proc/self/fd/N, it would be called "N").</param>
    public static bool Begin(string name)
    {
        SecuritySyscalls.SetNotDumpable();
        Syscalls.SetParentDeathSignal(Signal.Kill);
        SecuritySyscalls.SetThreadName(name);
        return !ProcessControl.HasEnded(ParentFd);
    }

    /// <summary>
    /// The last call before execve, after the last credential change. False when the parent died meanwhile: the stage
    /// must exit. <paramref name="dieWithParent"/>: the init stage's command keeps the signal; an exec'd command does
    /// not, as under Docker, where killing `docker exec` leaves the process running.
    /// </summary>
    /// <param name="parentMayBeGone">the OCI runtime's parked stage: its parent (`create`) has exited by design.</param>
    public static bool BeforeExec(bool dieWithParent, bool parentMayBeGone = false)
    {
        SecuritySyscalls.SetNotDumpable();
        SignalDisposition.ResetIgnored();
        if (parentMayBeGone) return true;
        Syscalls.SetParentDeathSignal(Signal.Kill);
        if (ProcessControl.HasEnded(ParentFd)) return false;
        if (!dieWithParent) Syscalls.SetParentDeathSignal(Signal.None);
        return true;
    }
}
