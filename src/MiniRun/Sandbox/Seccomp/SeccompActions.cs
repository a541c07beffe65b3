using MiniRun.Native;

namespace MiniRun.Sandbox.Seccomp;

/// <summary>
/// Docker's action names as the values libseccomp and the kernel use (seccomp(2) SECCOMP_RET_*, seccomp.h SCMP_ACT_*).
/// An ERRNO or TRACE action without errnoRet answers EPERM, as runc's does.
/// </summary>
public static class SeccompActions
{
    public const uint KillThread = 0x00000000, KillProcess = 0x80000000, Trap = 0x00030000, Errno = 0x00050000,
        Trace = 0x7ff00000, Log = 0x7ffc0000, Allow = 0x7fff0000;

    public static uint Resolve(string name, uint? errnoRet) => name switch
    {
        "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => KillThread,
        "SCMP_ACT_KILL_PROCESS" => KillProcess,
        "SCMP_ACT_TRAP" => Trap,
        "SCMP_ACT_ERRNO" => Errno | ((errnoRet ?? Errnos.EPERM) & 0xffff),
        "SCMP_ACT_TRACE" => Trace | ((errnoRet ?? Errnos.EPERM) & 0xffff),
        "SCMP_ACT_LOG" => Log,
        "SCMP_ACT_ALLOW" => Allow,
        _ => throw new MiniRunException($"unknown seccomp action \"{name}\""),
    };

    /// <summary>Throws <paramref name="bad"/>'s exception for a name <see cref="Resolve"/> does not know.</summary>
    public static void Check(string name, Func<string, MiniRunException> bad)
    {
        if (name == "SCMP_ACT_NOTIFY") throw bad("SCMP_ACT_NOTIFY needs a listener (a seccomp agent), which minirun does not have");
        try { Resolve(name, null); }
        catch (MiniRunException) { throw bad($"unknown action \"{name}\" (SCMP_ACT_ALLOW, ERRNO, KILL, KILL_PROCESS, KILL_THREAD, TRAP, TRACE or LOG)"); }
    }

    /// <summary>For --explain: "EPERM", "ENOSYS", "allow", "kill".</summary>
    public static string Describe(uint action) => (action & 0xffff0000) switch
    {
        Errno => Errnos.Name((int)(action & 0xffff)),
        Allow => "allow",
        Log => "log",
        Trap => "SIGSYS",
        Trace => "trace",
        _ => "kill",
    };
}
