using System.Text.Json;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The parent side of `exec`: a dedicated thread takes a filesystem context of its own (unshare(CLONE_FS), which
/// setns(2) requires for a mount namespace), joins the namespaces of the container's PID 1 from /proc/PID/ns/*, makes
/// /proc/PID/root its root, and posix_spawn()s this binary (verb <see cref="ExecStage.Verb"/>) through a descriptor
/// opened beforehand, since the host path is not visible from inside. setns(CLONE_NEWPID) moves only the children
/// of the thread (pid_namespaces(7)), so the command joins the container's PID namespace without being its PID 1.
/// </summary>
public static class ExecLauncher
{
    // The mount namespace goes last: after it, the thread sees the container's /proc, not the host's.
    private static readonly (string Name, NamespaceFlags Flag)[] Namespaces =
    [
        ("ipc", NamespaceFlags.Ipc), ("uts", NamespaceFlags.Uts), ("net", NamespaceFlags.Network), ("pid", NamespaceFlags.Pid),
        ("cgroup", NamespaceFlags.Cgroup), ("mnt", NamespaceFlags.Mount),
    ];

    /// <summary>Starts the exec stage inside the namespaces of <paramref name="containerPid"/>; returns its host PID.</summary>
    public static int Start(int containerPid, ExecSpec spec)
    {
        byte[] message = JsonSerializer.SerializeToUtf8Bytes(spec, ExecJsonContext.Default.ExecSpec);
        string self = Environment.ProcessPath ?? "/proc/self/exe";
        var opened = new List<int>();
        try
        {
            int binary = ProcessControl.OpenPath(self);
            opened.Add(binary);
            int root = ProcessControl.OpenPath($"/proc/{containerPid}/root", directory: true);
            opened.Add(root);
            var joins = new List<(int Fd, NamespaceFlags Flag, string Path)>();
            foreach ((string name, NamespaceFlags flag) in Namespaces)
            {
                string path = $"/proc/{containerPid}/ns/{name}";
                if (!File.Exists(path) || SameNamespace(path, $"/proc/self/ns/{name}")) continue; // e.g. --network host
                int fd = ProcessControl.OpenReadOnly(path);
                opened.Add(fd);
                joins.Add((fd, flag, path));
            }
            return SpawnInside(binary, root, joins, message);
        }
        finally
        {
            foreach (int fd in opened) ProcessControl.Close(fd);
        }
    }

    private static int SpawnInside(int binary, int root, List<(int Fd, NamespaceFlags Flag, string Path)> joins, byte[] message)
    {
        (int readEnd, int writeEnd) = ProcessControl.CreatePipe();
        string binaryPath = $"/proc/self/fd/{binary}";
        string[] argv = ["minirun-exec", ExecStage.Verb];
        int pid = 0;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Syscalls.Unshare(NamespaceFlags.FileSystem);
                foreach ((int fd, NamespaceFlags flag, string path) in joins) Syscalls.SetNamespace(fd, flag, path);
                Syscalls.ChangeDirectory(root, "container root");
                Syscalls.ChangeRoot(".");
                pid = ProcessControl.Spawn(binaryPath, argv, [], extraFd: readEnd);
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        ProcessControl.Close(readEnd);
        try
        {
            if (failure is not null) throw failure;
            ProcessControl.WriteAll(writeEnd, message);
        }
        finally
        {
            ProcessControl.Close(writeEnd);
        }
        return pid;
    }

    private static bool SameNamespace(string a, string b)
    {
        try { return File.ResolveLinkTarget(a, false)?.Name == File.ResolveLinkTarget(b, false)?.Name; }
        catch (IOException) { return false; }
    }
}
