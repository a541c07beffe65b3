using MiniRun.Common;
using System.Text.Json;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The parent side of `exec`: the calling thread joins the IPC, UTS, network and PID namespaces of the
/// container's PID 1 (setns(2) on /proc/PID/ns/*), posix_spawn()s this binary (verb <see cref="ExecStage.Verb"/>)
/// and returns to its own namespaces (see <see cref="StageSpawner"/>).
/// setns(CLONE_NEWPID) moves only the children of the thread (pid_namespaces(7)), so the command joins the
/// container's PID namespace without being its PID 1. The mount namespace and the root are joined by the exec stage
/// itself: minirun is a dynamically linked program whose loader is not inside the container's root.
/// </summary>
public static class ExecLauncher
{
    private static readonly (string Name, NamespaceFlags Flag)[] Namespaces =
    [
        // Not the cgroup namespace: the exec stage joins the container's cgroups first, then that namespace (ExecStage).
        ("ipc", NamespaceFlags.Ipc), ("uts", NamespaceFlags.Uts), ("net", NamespaceFlags.Network), ("pid", NamespaceFlags.Pid),
    ];

    /// <summary>
    /// Starts the exec stage inside the namespaces of the spec's container, sends it the spec; returns its host PID and
    /// the read-only view of minirun it runs from, for the caller to dispose once the command has exited (the view's
    /// teardown then costs the command nothing; see <see cref="InitStageProcess.WaitUntilExecuted"/>).
    /// <paramref name="beforeSpec"/> runs with that PID while the stage still waits (to forward signals to it).
    /// </summary>
    /// <param name="waitUntilExecuted">returns only once the command runs (the OCI runtime's exec --detach, whose caller
    /// exits next); a command that could not be started is reaped and reported as a <see cref="MiniRunException"/>.</param>
    /// <param name="console">exec -t (<see cref="ExecSpec.ConsoleOverChannel"/>): given the master of the command's pty, which it then owns.</param>
    /// <param name="nullStdin">the command's stdin is /dev/null, not ours (exec without -i, as Docker's).</param>
    public static (int Pid, RuntimeBinary Binary) Start(ExecSpec spec, Action<int>? beforeSpec = null, bool waitUntilExecuted = false,
        Action<int>? console = null, bool nullStdin = false)
    {
        // A container with a user namespace of its own: the stage is cloned into it (no thread of ours can enter one),
        // and, owning no cgroup file of the host's there, is moved into the container's cgroup by us.
        string userPath = $"/proc/{spec.ContainerPid}/ns/user";
        UserNamespace? user = SameNamespace(userPath, "/proc/self/ns/user") ? null : new UserNamespace { Path = userPath };
        ExecSpec sent = user is null ? spec : new ExecSpec
        {
            ContainerPid = spec.ContainerPid, ConsoleSocket = spec.ConsoleSocket, ConsoleOverChannel = spec.ConsoleOverChannel, Process = spec.Process,
        };
        if (user is not null)
            beforeSpec = JoinCgroupFromOutside(spec, beforeSpec);
        byte[] message = StageFrames.Frame(JsonSerializer.SerializeToUtf8Bytes(sent, ExecJsonContext.Default.ExecSpec));
        // Each namespace to join, and this thread's own of that kind to come back to after the spawn.
        var joins = new List<(int Fd, int OwnFd, NamespaceFlags Flag, string Path)>();
        try
        {
            foreach ((string name, NamespaceFlags flag) in Namespaces)
            {
                string path = $"/proc/{spec.ContainerPid}/ns/{name}";
                string own = $"/proc/thread-self/ns/{name}";
                if (Syscalls.TryLStat(path) is null || SameNamespace(path, own)) continue; // e.g. --network host
                int fd = ProcessControl.OpenReadOnly(path);
                joins.Add((fd, OpenOrClose(own, fd), flag, path));
            }
            // Rootless: this thread may enter the container's namespaces but never come back to the host's (their owner is
            // the initial user namespace): the stage joins them itself, after its clone.
            bool inStage = RootlessMode.Active && user is null;
            (int pid, int messageFd, RuntimeBinary binary) = StageSpawner.Spawn("minirun-exec", ExecStage.Verb,
                inStage ? () => { } : () => { foreach ((int fd, _, NamespaceFlags flag, string path) in joins) Syscalls.SetNamespace(fd, flag, path); },
                inStage ? () => { } : () => { foreach ((_, int own, NamespaceFlags flag, string path) in joins) Syscalls.SetNamespace(own, flag, "this thread's own, for " + path); },
                user: user, stdin: nullStdin ? ProcessControl.NullStdin : ProcessControl.InheritStdin,
                joinFds: inStage ? [.. joins.Where(j => j.Flag != NamespaceFlags.Pid).Select(j => j.Fd)] : null,
                pidNamespaceFd: inStage && joins.FindIndex(j => j.Flag == NamespaceFlags.Pid) is var pidJoin and >= 0 ? joins[pidJoin].Fd : -1);
            try
            {
                StageSpawner.Deliver(pid, messageFd, message, beforeSpec, (stage, channel) =>
                {
                    if (spec.ConsoleOverChannel)
                        console?.Invoke(ContainerConsole.ReceiveOverChannel(channel) ?? throw new MiniRunException($"exec: process {stage}: the exec stage ended before its terminal was made (the reason is on stderr above)"));
                    if (waitUntilExecuted) AwaitExecve(stage, channel);
                });
            }
            catch
            {
                binary.Dispose();
                throw;
            }
            return (pid, binary);
        }
        finally
        {
            foreach ((int fd, int own, _, _) in joins)
            {
                ProcessControl.Close(fd);
                ProcessControl.Close(own);
            }
        }
    }

    private static Action<int> JoinCgroupFromOutside(ExecSpec spec, Action<int>? beforeSpec) => pid =>
    {
        CgroupJoin.FromOutside(LinuxSyscalls.Instance, pid, spec.CgroupJoinFiles, spec.CgroupProcessJoinDirectory);
        beforeSpec?.Invoke(pid);
    };

    /// <summary>End of file on the channel: the stage's end closed at execve; a byte instead: its execve failed.</summary>
    private static void AwaitExecve(int pid, int channel)
    {
        if (ProcessControl.ReadExactly(channel, 1) is not { } answer) return; // Deliver reaps the stage when this throws
        throw new MiniRunException(answer is [ExecStage.NotExecuted]
            ? $"exec: process {pid}: the command could not be started (the reason is on stderr above)"
            : $"exec: process {pid}: the exec stage failed");
    }

    private static int OpenOrClose(string path, int fdToCloseOnFailure)
    {
        try { return ProcessControl.OpenReadOnly(path); }
        catch
        {
            ProcessControl.Close(fdToCloseOnFailure);
            throw;
        }
    }

    internal static bool SameNamespace(string a, string b)
    {
        // The link text ("pid:[4026531836]") names the namespace by inode (namespaces(7)).
        try { return new FileInfo(a).LinkTarget is { } target && target == new FileInfo(b).LinkTarget; }
        catch (IOException) { return false; }
    }
}
