using System.Text.Json;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The in-container side of `exec`: born inside the container's namespaces with its root (see
/// <see cref="ExecLauncher"/>), it reads the <see cref="ExecSpec"/> from fd 3, enters the working directory, drops to
/// the user and execve()s the command. Unlike the init stage it mounts nothing: the container is already set up.
/// </summary>
public static class ExecStage
{
    public const string Verb = "__exec";

    /// <summary>What the stage says on fd 3 when its execve failed (it then exits 126 or 127, having said why on stderr).</summary>
    public const byte NotExecuted = (byte)'F';

    public static int Run()
    {
        ExecSpec spec;
        try
        {
            // fd 3 stays open until execve (close-on-exec from PrivilegeDrop): its closing tells the parent the command runs.
            if (StageFrames.Read(InitStage.SpecFd, "the exec spec from the parent") is not { } message) return ExitCodes.RuntimeError;
            spec = JsonSerializer.Deserialize(message, ExecJsonContext.Default.ExecSpec)
                   ?? throw new MiniRunException("exec: empty spec from the parent");
            // First, while the paths are the host's: the limits count this process too, as runc exec does; then the
            // container's cgroup namespace, whose root holds the groups just joined (joined before: with nsdelegate,
            // a process may not move from outside its namespace's root).
            if (spec.CgroupProcessJoinDirectory is { } unified) CgroupJoin.EnterProcess(LinuxSyscalls.Instance, unified);
            CgroupJoin.Enter(LinuxSyscalls.Instance, spec.CgroupJoinFiles);
            EnterCgroupNamespace(spec.ContainerPid);
            int console = spec.ConsoleSocket is { } socket ? ContainerConsole.Connect(socket) : -1; // at the host's path, before the root changes
            EnterContainerRoot(spec.ContainerPid);
            if (console >= 0) ContainerConsole.HandOver(console, "/dev/pts/ptmx", "/dev/pts", console: null);
            else if (spec.ConsoleOverChannel) ContainerConsole.HandOver(InitStage.SpecFd, "/dev/pts/ptmx", "/dev/pts", console: null, keepSocket: true);
            StageProcess process = spec.Process;
            Syscalls.ChangeDirectory(process.WorkingDir); // docker exec -w: the directory must exist
            // The same capabilities, no_new_privs, session keyring and seccomp filter as the container's PID 1: exec is no way around them.
            PrivilegeDrop.BecomeCommand(LinuxSyscalls.Instance, process.Credentials, process.NoNewPrivileges, process.SessionKeyring, process.SeccompFilter,
                process.ResourceLimits, process.Umask);
            if (!StageGuard.BeforeExec(dieWithParent: false)) return ExitCodes.RuntimeError; // minirun exec died: nothing runs
        }
        catch (Exception e) when (e is MiniRunException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(UserMessages.Line(e));
            TellNotExecuted();
            return ExitCodes.RuntimeError;
        }
        int status = ExecFailure.Report(LinuxSyscalls.Instance.Exec(spec.Process.Args, spec.Process.Env), spec.Process.Args[0], spec.Process.Env);
        TellNotExecuted();
        return status;
    }

    /// <summary>A parent that waits for the execve (exec --detach) hears that none came.</summary>
    private static void TellNotExecuted()
    {
        try { ProcessControl.WriteAll(InitStage.SpecFd, [NotExecuted]); }
        catch (NativeException) { } // a parent that no longer listens
    }

    /// <summary>setns(2) into the container's cgroup namespace: for this thread, which execve()s (a container of an older minirun has none).</summary>
    private static void EnterCgroupNamespace(int containerPid)
    {
        string path = $"/proc/{containerPid}/ns/cgroup";
        if (ExecLauncher.SameNamespace(path, "/proc/thread-self/ns/cgroup")) return;
        int fd = ProcessControl.OpenReadOnly(path);
        try { Syscalls.SetNamespace(fd, NamespaceFlags.Cgroup, path); }
        finally { ProcessControl.Close(fd); }
    }

    /// <summary>
    /// Joins the container's mount namespace and root: this thread first takes a filesystem context of its own
    /// (setns(2) refuses CLONE_NEWNS to a thread sharing one), then enters /proc/PID/root, which is the container's
    /// root whether it was entered with pivot_root or chroot. execve keeps this thread's root and cwd.
    /// </summary>
    private static void EnterContainerRoot(int containerPid)
    {
        int root = ProcessControl.OpenPath($"/proc/{containerPid}/root", directory: true);
        int mountNamespace = ProcessControl.OpenReadOnly($"/proc/{containerPid}/ns/mnt");
        try
        {
            Syscalls.Unshare(NamespaceFlags.FileSystem);
            Syscalls.SetNamespace(mountNamespace, NamespaceFlags.Mount, $"/proc/{containerPid}/ns/mnt");
            Syscalls.ChangeDirectory(root, "container root");
            Syscalls.ChangeRoot(".");
        }
        finally
        {
            ProcessControl.Close(root);
            ProcessControl.Close(mountNamespace);
        }
    }
}
