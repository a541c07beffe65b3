using System.Runtime.InteropServices;
using MiniRun.Common;
using MiniRun.Native;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Rootless;

/// <summary>
/// `minirun VERB …` as an ordinary user (Podman's rootless re-exec): minirun runs itself again, same arguments, as root
/// of the user's rootless user namespace and in its mount namespace (those of <see cref="RootlessPause"/>), told by
/// <see cref="RootlessMode.Variable"/> that it is the rootless child and by MINIRUN_ROOT which store is the user's.
/// The spawn makes or joins the namespaces itself (namespaced_spawn.c): no thread of a .NET process can. This process
/// waits, passes SIGTERM and SIGHUP on, ignores SIGINT and SIGQUIT (the terminal sends them to the child as well: same
/// process group), and exits as the child did.
/// </summary>
public static class RootlessLauncher
{
    /// <summary>The user's store: $XDG_DATA_HOME/minirun, else ~/.local/share/minirun (Podman's is …/containers/storage).</summary>
    public static string DefaultStoreRoot()
    {
        string? data = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(data) || !Path.IsPathRooted(data))
        {
            string? home = Environment.GetEnvironmentVariable("HOME");
            if (string.IsNullOrEmpty(home)) throw new MiniRunException("rootless mode needs $HOME or $XDG_DATA_HOME to place the user's store");
            data = Path.Combine(home, ".local", "share");
        }
        return Path.GetFullPath(Path.Combine(data, "minirun"));
    }

    /// <summary>Why this kernel cannot run rootless containers, or null: overlayfs may be mounted in a user namespace
    /// from Linux 5.11 (and whiteouts made there from 5.8).</summary>
    public static string? KernelProblem(string release) =>
        KernelVersion.TryParse(release) is { } kernel && kernel.CompareTo(new KernelVersion(5, 11)) < 0
            ? $"rootless mode needs Linux 5.11 or later (overlayfs in a user namespace); this kernel is {release}: run minirun with sudo"
            : null;

    /// <param name="storeRoot">the store (from --root or $MINIRUN_ROOT, else <see cref="DefaultStoreRoot"/>).</param>
    /// <param name="arguments">minirun's own arguments, as it was given them.</param>
    /// <param name="notice">told one line when the user has no subordinate IDs (only when the pause is made).</param>
    public static int Run(ISyscalls sys, string storeRoot, IReadOnlyList<string> arguments, Action<string> notice)
    {
        if (KernelProblem(KernelFiles.TryReadAll("/proc/sys/kernel/osrelease")?.Trim() ?? "") is { } problem) throw new MiniRunException(problem);
        (int uid, int gid) = Syscalls.EffectiveIds;
        var mode = new RootlessMode(uid, gid);
        List<string> env = [];
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            string name = (string)variable.Key;
            if (name is not (RootlessMode.Variable or "MINIRUN_ROOT")) env.Add($"{name}={variable.Value}");
        }
        env.Add($"{RootlessMode.Variable}={mode.Value}");
        env.Add($"MINIRUN_ROOT={storeRoot}");

        RootlessIdMaps maps = RootlessIdMaps.OfHostUser(uid, gid);
        if (!maps.HasRanges && !RootlessPause.IsRunning(storeRoot))
            notice(RootlessIdMaps.OneIdNotice(SubordinateIds.UserName(SubordinateIds.ReadOrEmpty("/etc/passwd"), uid) ?? $"uid {uid}"));
        (int userFd, int mountFd) = RootlessPause.Join(sys, storeRoot, maps, env);
        int pid;
        try
        {
            pid = ProcessControl.SpawnNamespaced("/proc/self/exe", ["minirun", .. arguments], env, [], output: null, programFd: -1,
                NamespaceFlags.None, userFd, beforeGo: null, mountNamespaceFd: mountFd);
        }
        finally
        {
            ProcessControl.Close(userFd);
            ProcessControl.Close(mountFd);
        }
        return Wait(pid);
    }

    /// <summary>The child's status (128+N for a signal); SIGTERM and SIGHUP passed on until it is reaped.</summary>
    private static int Wait(int pid)
    {
        var reaped = new Lock();
        bool done = false;
        List<PosixSignalRegistration> registrations = [];
        try
        {
            foreach (PosixSignal signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
                registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true;
                    if (context.Signal is PosixSignal.SIGINT or PosixSignal.SIGQUIT) return;
                    lock (reaped)
                        if (!done) Syscalls.Kill(pid, Signals.Of(context.Signal));
                }));
            ExitWatch.WaitUntilExited(pid);
            lock (reaped) done = true;
            return ProcessControl.WaitForExit(pid);
        }
        finally
        {
            foreach (PosixSignalRegistration registration in registrations) registration.Dispose();
        }
    }
}
