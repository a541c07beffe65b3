using System.Runtime.InteropServices;

namespace MiniRun.Native;

public static unsafe partial class ProcessControl
{
    /// <summary>
    /// <see cref="Spawn"/> for a child in a user namespace: a new one, made by the spawn itself together with
    /// <paramref name="newNamespaces"/> (which the user namespace then owns), or the existing one open on
    /// <paramref name="userNamespaceFd"/>. A .NET process cannot unshare or enter a user namespace (it has threads), so
    /// the child is cloned in C (namespaced_spawn.c) and runs only system calls until its execve. Between the clone and
    /// the child's going on, <paramref name="beforeGo"/> runs with its PID: where its UID and GID maps are written.
    /// The child then becomes root of the namespace and execs; an error before the exec is thrown here, the child reaped.
    /// <paramref name="mountNamespaceFd"/>, when given, is joined after the user namespace (a rootless minirun entering
    /// its pause process's namespaces), which only a single-threaded process can do. <paramref name="stdin"/>: ours, /dev/null
    /// (<see cref="NullStdin"/>) or a descriptor. <paramref name="joinFds"/>: namespaces the child joins after the go;
    /// <paramref name="pidNamespaceFd"/>: the PID namespace it is born in, by one more clone inside (the PID returned is
    /// that grandchild's, a child of ours all the same): a rootless exec, whose thread could enter the container's
    /// namespaces but never come back to the host's.
    /// </summary>
    public static int SpawnNamespaced(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env, IReadOnlyList<int> passedFds,
        (int Stdout, int Stderr)? output, int programFd, NamespaceFlags newNamespaces, int userNamespaceFd, Action<int>? beforeGo,
        int mountNamespaceFd = -1, int stdin = InheritStdin, IReadOnlyList<int>? joinFds = null, int pidNamespaceFd = -1)
    {
        var allocations = new List<nint>();
        var copies = new List<int>();
        (int goRead, int goWrite) = CreatePipe();
        (int errorRead, int errorWrite) = CreatePipe();
        int pid = -1;
        int nullFd = stdin == NullStdin ? OpenReadOnly("/dev/null") : -1;
        (int reportRead, int reportWrite) = pidNamespaceFd >= 0 ? CreatePipe() : (-1, -1);
        int joinCount = joinFds?.Count ?? 0;
        int* joins = stackalloc int[Math.Max(joinCount, 1)];
        for (int i = 0; i < joinCount; i++) joins[i] = joinFds![i];
        try
        {
            int count = 3 + passedFds.Count;
            int* fds = stackalloc int[count];
            fds[0] = stdin >= 0 ? stdin : nullFd;
            fds[1] = output?.Stdout ?? -1;
            fds[2] = output?.Stderr ?? -1;
            for (int i = 0; i < passedFds.Count; i++) fds[3 + i] = passedFds[i];
            // The child resolves /proc/self/fd/N after its dup2s onto 0..count-1: N must lie above them.
            string program = programFd < 0 ? path : "/proc/self/fd/" + AboveRange(programFd, count, copies);
            var request = new NamespacedSpawnImport.Request
            {
                Path = NativeStrings.Utf8(program, allocations),
                Argv = NativeStrings.NullTerminated(argv, allocations),
                Envp = NativeStrings.NullTerminated(env, allocations),
                Fds = fds, FdCount = count,
                UserNamespaceFd = userNamespaceFd,
                MountNamespaceFd = mountNamespaceFd,
                CloneFlags = (ulong)newNamespaces,
                GoFd = goRead, ErrorFd = errorWrite,
                JoinFds = joins, JoinCount = joinCount,
                PidNamespaceFd = pidNamespaceFd, PidReportFd = reportWrite,
            };
            pid = NamespacedSpawnImport.minirun_namespaced_spawn(&request);
            if (pid < 0) throw new NativeException("clone3", path, -pid);
            Close(errorWrite);
            errorWrite = -1;
            beforeGo?.Invoke(pid);
            WriteAll(goWrite, "G"u8);
            Close(goWrite);
            goWrite = -1;
            if (reportWrite >= 0)
            {
                Close(reportWrite);
                reportWrite = -1;
                // The grandchild's PID; end of file: the child failed before its clone (its errno follows below).
                if (ReadExactly(reportRead, 4) is { } reported)
                {
                    WaitForExit(pid);
                    pid = BitConverter.ToInt32(reported);
                }
            }
            // End of file: the child's end closed at its execve. Four bytes: the errno it failed with before.
            if (ReadExactly(errorRead, 4) is { } error)
                throw new NativeException("execve", path, BitConverter.ToInt32(error));
            return pid;
        }
        catch
        {
            if (pid > 0)
            {
                Syscalls.Kill(pid, Signal.Kill);
                WaitForExit(pid);
            }
            throw;
        }
        finally
        {
            foreach (int fd in new[] { goRead, goWrite, errorRead, errorWrite, nullFd, reportRead, reportWrite })
                if (fd >= 0) Close(fd);
            foreach (int copy in copies) Close(copy);
            NativeStrings.Free(allocations);
        }
    }
}
