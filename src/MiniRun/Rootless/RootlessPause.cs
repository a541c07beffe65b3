using System.Globalization;
using System.Text;
using MiniRun.Common;
using MiniRun.Native;

namespace MiniRun.Rootless;

/// <summary>
/// The rootless user namespace's keeper, as Podman's pause process: made once per store with a new user and mount
/// namespace and its ID maps, it sleeps; each rootless minirun of that store joins both. One namespace for all the
/// user's commands is what lets a later `exec` enter a container made by an earlier `run -d` (setns(2) into a container's
/// namespaces needs capabilities in the user namespace that owns them), and `rm` see the overlay mounted by `run`.
/// Its PID is in <c>rootless/pause.pid</c> of the store; it lives until `system migrate` (as Podman's).
/// </summary>
public static class RootlessPause
{
    /// <summary>argv[1] of the pause process.</summary>
    public const string Verb = "minirun-rootless-pause";

    /// <summary>The descriptor on which the pause says it is ready (its mounts are private).</summary>
    private const int ReadyFd = 3;

    public static string Directory(string storeRoot) => Path.Combine(storeRoot, "rootless");
    public static string PidFile(string storeRoot) => Path.Combine(Directory(storeRoot), "pause.pid");

    /// <summary>
    /// Descriptors of the pause's user and mount namespaces (the caller closes them), starting the pause when the store
    /// has none alive. Serialised by a lock beside the PID file, so that two first commands make one pause.
    /// </summary>
    public static (int UserFd, int MountFd) Join(ISyscalls sys, string storeRoot, RootlessIdMaps maps, IReadOnlyList<string> env)
    {
        System.IO.Directory.CreateDirectory(storeRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        System.IO.Directory.CreateDirectory(Directory(storeRoot), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using FileLock held = FileLock.Exclusive(Path.Combine(Directory(storeRoot), "pause.lock"));
        int pid = AlivePause(storeRoot) ?? Start(sys, storeRoot, maps, env);
        string proc = "/proc/" + pid.ToString(CultureInfo.InvariantCulture);
        int user = ProcessControl.OpenReadOnly(proc + "/ns/user");
        try { return (user, ProcessControl.OpenReadOnly(proc + "/ns/mnt")); }
        catch
        {
            ProcessControl.Close(user);
            throw;
        }
    }

    /// <summary>
    /// Ends the store's pause process (`system migrate`), so that the next command makes the namespace anew from
    /// today's /etc/subuid and /etc/subgid. True when there was one. Its namespaces live on while a process is in them.
    /// </summary>
    public static bool End(string storeRoot)
    {
        if (AlivePause(storeRoot) is not { } pid) return false;
        Syscalls.Kill(pid, Signal.Kill);
        File.Delete(PidFile(storeRoot));
        return true;
    }

    /// <summary>Whether the store's pause process lives.</summary>
    public static bool IsRunning(string storeRoot) => AlivePause(storeRoot) is not null;

    /// <summary>The store's pause process, or null when none lives: its /proc/PID/root is the way into its mount namespace.</summary>
    public static int? Pid(string storeRoot) => AlivePause(storeRoot);

    /// <summary>The PID in the file when that process is still this store's pause (not a recycled PID), else null.</summary>
    private static int? AlivePause(string storeRoot)
    {
        try
        {
            if (!int.TryParse(File.ReadAllText(PidFile(storeRoot)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) return null;
            string[] argv = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            return argv.Length > 1 && argv[1] == Verb ? pid : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static int Start(ISyscalls sys, string storeRoot, RootlessIdMaps maps, IReadOnlyList<string> env)
    {
        (int readyRead, int readyWrite) = ProcessControl.CreatePipe();
        int pid;
        try
        {
            pid = ProcessControl.SpawnNamespaced("/proc/self/exe", ["minirun", Verb], env, [readyWrite], output: null, programFd: -1,
                NamespaceFlags.User | NamespaceFlags.Mount, userNamespaceFd: -1, beforeGo: child => maps.Write(sys, child));
        }
        finally { ProcessControl.Close(readyWrite); }
        try
        {
            // One byte once its mounts are private and it has left the terminal; end of file: it failed.
            if (ProcessControl.ReadExactly(readyRead, 1) is null)
            {
                ProcessControl.WaitForExit(pid);
                throw new MiniRunException("the rootless pause process failed before it was ready (its user namespace could not be set up)");
            }
        }
        finally { ProcessControl.Close(readyRead); }
        string temporary = PidFile(storeRoot) + ".tmp";
        File.WriteAllText(temporary, pid.ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(temporary, PidFile(storeRoot), overwrite: true);
        return pid;
    }

    /// <summary>
    /// The pause process itself (root of the new namespaces): its mounts made private, so that nothing mounted for a
    /// container propagates back to the host's namespace, off the terminal, then asleep until killed.
    /// </summary>
    public static int Run(ISyscalls sys)
    {
        sys.Mount(null, "/", null, MountFlags.Recursive | MountFlags.Private, null);
        ProcessControl.DetachFromTerminal();
        ProcessControl.WriteAll(ReadyFd, "R"u8);
        ProcessControl.Close(ReadyFd);
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    /// <summary>The maps as this process sees them (/proc/self/uid_map and gid_map), for `minirun info`.</summary>
    public static string DescribeMaps() =>
        $"uid_map {Squeeze(SubordinateIds.ReadOrEmpty("/proc/self/uid_map"))}; gid_map {Squeeze(SubordinateIds.ReadOrEmpty("/proc/self/gid_map"))}";

    private static string Squeeze(string map)
    {
        var text = new StringBuilder();
        foreach (string line in map.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            text.Append(text.Length > 0 ? ", " : "").AppendJoin(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return text.ToString();
    }
}
