using System.Text.Json;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The parent side of `exec`: a dedicated thread joins the IPC, UTS, network, cgroup and PID namespaces of the
/// container's PID 1 (setns(2) on /proc/PID/ns/*) and posix_spawn()s this binary (verb <see cref="ExecStage.Verb"/>).
/// setns(CLONE_NEWPID) moves only the children of the thread (pid_namespaces(7)), so the command joins the
/// container's PID namespace without being its PID 1. The mount namespace and the root are joined by the exec stage
/// itself: minirun is a dynamically linked program whose loader is not inside the container's root.
/// </summary>
public static class ExecLauncher
{
    private static readonly (string Name, NamespaceFlags Flag)[] Namespaces =
    [
        ("ipc", NamespaceFlags.Ipc), ("uts", NamespaceFlags.Uts), ("net", NamespaceFlags.Network), ("cgroup", NamespaceFlags.Cgroup),
        ("pid", NamespaceFlags.Pid),
    ];

    /// <summary>Starts the exec stage inside the namespaces of the spec's container, sends it the spec; returns its host PID.</summary>
    public static int Start(ExecSpec spec)
    {
        byte[] message = JsonSerializer.SerializeToUtf8Bytes(spec, ExecJsonContext.Default.ExecSpec);
        var joins = new List<(int Fd, NamespaceFlags Flag, string Path)>();
        try
        {
            foreach ((string name, NamespaceFlags flag) in Namespaces)
            {
                string path = $"/proc/{spec.ContainerPid}/ns/{name}";
                if (Syscalls.TryLStat(path) is null || SameNamespace(path, $"/proc/self/ns/{name}")) continue; // e.g. --network host
                joins.Add((ProcessControl.OpenReadOnly(path), flag, path));
            }
            (int pid, int messageFd) = StageSpawner.Spawn("minirun-exec", ExecStage.Verb, () =>
            {
                foreach ((int fd, NamespaceFlags flag, string path) in joins) Syscalls.SetNamespace(fd, flag, path);
            });
            StageSpawner.Deliver(pid, messageFd, message, null);
            return pid;
        }
        finally
        {
            foreach ((int fd, _, _) in joins) ProcessControl.Close(fd);
        }
    }

    private static bool SameNamespace(string a, string b)
    {
        // The link text ("pid:[4026531836]") names the namespace by inode (namespaces(7)).
        try { return new FileInfo(a).LinkTarget is { } target && target == new FileInfo(b).LinkTarget; }
        catch (IOException) { return false; }
    }
}
