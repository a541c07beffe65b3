using MiniRun.Common;
using MiniRun.Native;

using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Sandbox;

/// <summary>
/// The init stage, spawned ahead of its spec: born in a new PID namespace (as its PID 1), it starts up (a second .NET
/// start) while the parent is still resolving the image, creating the container and mounting the overlay. Parent and
/// stage then talk over a socket pair (the stage's fd 3), as runc's libcontainer/sync.go documents its own:
/// <code>
///   parent                                        stage
///   Send:     spec (u32 length, JSON)  ──────►     unshares its namespaces, sets up the root (InitSequence.Prepare)
///             creates the cgroup meanwhile
///   AwaitReady                         ◄──────     ('T' with the pty's master, SCM_RIGHTS, for run -t)
///                                      ◄──────     Ready ('R'): namespaces and root are there
///             work from outside, on the namespaces the stage has made (the cgroup today; networks, ID maps,
///             hooks and the OCI runtime's parked `create` take their step here)
///   Release:  Go ('G')                 ──────►     joins the cgroup, enters the root, drops privileges (InitSequence.Enter)
///             or Stop ('S'), or end of file: the stage exits 125 and no command runs unsupervised
///   Park:     'P', u32 length, a fifo's path ──►   (the OCI runtime's create) forgets its parent (no PDEATHSIG)
///             then exits                ◄──────    Parked ('A'); waits until `start` opens the fifo (runc's exec.fifo)
///   WaitUntilExecuted                  ◄──────     end of file: its end closed at execve (close-on-exec) or exit
/// </code>
/// A stage that fails says why on the container's stderr and exits 125: the parent reads end of file where it waits.
/// Only after the execve does the parent let go of the read-only view of the binary (<see cref="RuntimeBinary"/>), so
/// that the kernel tears that mount down in the parent, while the command runs, not in the command's execve.
/// Disposed before it is released, it is killed and reaped. Its stdout and stderr are the runner's, or the pipes of a
/// <see cref="ContainerOutput"/>, which it then owns.
/// </summary>
public sealed class InitStageProcess : IDisposable
{
    private int _messageFd;

    private InitStageProcess(int pid, int messageFd, RuntimeBinary binary, ContainerOutput? output)
    {
        Pid = pid;
        _messageFd = messageFd;
        Binary = binary;
        Output = output;
    }

    /// <summary>The host's PID of the init stage (PID 1 inside).</summary>
    public int Pid { get; }

    /// <summary>The binary the stage runs from: a read-only view of minirun, unless the kernel refused it (--explain says).</summary>
    public RuntimeBinary Binary { get; }

    /// <summary>The pipes its stdout and stderr write to; null when they are the runner's own (a terminal).</summary>
    public ContainerOutput? Output { get; }

    /// <param name="output">pipes for its stdout and stderr (owned by the stage from here, closed if the spawn fails).</param>
    /// <param name="explain">--explain: the stage narrates what it does on this process's stderr (its fd 5).</param>
    /// <param name="pidNamespace">an existing PID namespace to be born in (linux.namespaces[].path); null: a new one.</param>
    /// <param name="user">a user namespace (new with its maps, or joined): the stage is cloned into it, with its new
    /// PID namespace made by the same clone, so that the user namespace owns it.</param>
    /// <param name="newPidNamespace">false: born in this process's PID namespace (--pid host), a process like any other.</param>
    /// <param name="nullStdin">its stdin is /dev/null, not ours (run without -i, as Docker gives it); a stdin pipe of
    /// <paramref name="output"/> comes before either.</param>
    public static InitStageProcess Spawn(ContainerOutput? output = null, bool explain = false, string? pidNamespace = null, UserNamespace? user = null,
        bool newPidNamespace = true, bool nullStdin = false)
    {
        NamespaceFlags newPid = newPidNamespace && pidNamespace is null ? NamespaceFlags.Pid : NamespaceFlags.None;
        // Rootless: this thread's PID namespace is the host's, which root of the user's namespace may leave but never
        // re-enter (setns(2) needs CAP_SYS_ADMIN over its owner); the clone makes the new one instead, as with a user namespace.
        bool cloned = user is not null || (RootlessMode.Active && pidNamespace is null);
        const string own = "/proc/thread-self/ns/pid";
        int ownPid = -1;
        try
        {
            ownPid = ProcessControl.OpenReadOnly(own);
            (int pid, int fd, RuntimeBinary binary) = StageSpawner.Spawn("minirun-init", InitStage.Verb,
                pidNamespace is not null ? () => JoinPidNamespace(pidNamespace)
                    : !cloned && newPid != NamespaceFlags.None ? () => Syscalls.Unshare(NamespaceFlags.Pid) : () => { }, // else made by the clone, or none
                cloned ? () => { } : () => Syscalls.SetNamespace(ownPid, NamespaceFlags.Pid, own), // this thread's children: in its own again
                output?.WriteEnds, explainFd: explain ? 2 : null,
                user, cloned ? newPid : NamespaceFlags.None,
                output is { StdinRead: >= 0 and var piped } ? piped : nullStdin ? ProcessControl.NullStdin : ProcessControl.InheritStdin);
            output?.CloseWriteEnds();
            MigrationWarmup.Start(); // after the spawn: this thread's children are in its own PID namespace again
            return new InitStageProcess(pid, fd, binary, output);
        }
        catch
        {
            output?.Dispose();
            throw;
        }
        finally
        {
            if (ownPid >= 0) ProcessControl.Close(ownPid);
        }
    }

    /// <summary>setns(2) of the calling thread's PID namespace for children: the stage is born in it.</summary>
    private static void JoinPidNamespace(string path)
    {
        int fd = ProcessControl.OpenReadOnly(path);
        try { Syscalls.SetNamespace(fd, NamespaceFlags.Pid, path); }
        finally { ProcessControl.Close(fd); }
    }

    /// <summary>
    /// Sends the spec. <paramref name="beforeSpec"/> runs first, while the stage still waits; if it or the send
    /// fails, the stage is killed.
    /// </summary>
    public void Send(InitSpec spec, Action<int>? beforeSpec = null)
    {
        if (_messageFd < 0 || _sent) throw new InvalidOperationException("the init stage has had its spec");
        byte[] message = StageFrames.Frame(InitSpecWriter.Write(spec));
        beforeSpec?.Invoke(Pid);
        ProcessControl.WriteAll(_messageFd, message); // on failure, Dispose kills it
        _sent = true;
        _consoleComing = spec.ConsoleOverChannel;
    }

    /// <summary>The messages of one byte (see the table above).</summary>
    public const byte Ready = (byte)'R', Go = (byte)'G', Stop = (byte)'S', ParkMessage = (byte)'P', Parked = (byte)'A';

    /// <summary>
    /// Waits until the stage has made its namespaces and set up the root: the parent's work from outside comes next.
    /// False when the stage ended instead (it said why on the container's stderr; the wait reports its status).
    /// </summary>
    public bool AwaitReady()
    {
        if (!_sent) throw new InvalidOperationException("the init stage has no spec yet");
        if (_consoleComing)
        {
            // run -t: the pty's master comes first, alone (ContainerConsole.ChannelMark); none when the stage ended.
            if (ContainerConsole.ReceiveOverChannel(_messageFd) is not { } master) return false;
            Console = master;
        }
        return ProcessControl.ReadExactly(_messageFd, 1) is [Ready];
    }

    /// <summary>
    /// Lets the stage join the cgroup and execve the command. A stage that died meanwhile (it could not set up the root,
    /// and said why on the container's stderr) cannot read it: the wait that follows reports its exit status.
    /// </summary>
    public void Release()
    {
        if (!_sent) throw new InvalidOperationException("the init stage has no spec yet");
        try { ProcessControl.WriteAll(_messageFd, [Go]); }
        catch (NativeException e) when (e.Errno is Errnos.EPIPE or Errnos.ECONNRESET) { }
        _released = true;
    }

    /// <summary>
    /// The OCI runtime's `create`: instead of the go, the stage gets the path of a fifo, forgets its parent (which exits
    /// now) and waits there until `start` opens the fifo's other end (runc's exec.fifo).
    /// </summary>
    public void Park(string fifo)
    {
        if (!_sent) throw new InvalidOperationException("the init stage has no spec yet");
        ProcessControl.WriteAll(_messageFd, StageFrames.Frame(System.Text.Encoding.UTF8.GetBytes(fifo), ParkMessage));
        // Its answer says it no longer dies with us (PR_SET_PDEATHSIG cleared): only then may we exit.
        if (ProcessControl.ReadExactly(_messageFd, 1) is not [Parked]) throw new MiniRunException("the container's init stage died before it was parked");
        _released = true;
        CloseMessagePipe();
        Binary.Dispose();
    }

    /// <summary>
    /// Waits until the released stage has execve()d the command (or died), then closes the view of the binary: the
    /// last reference to a detached overlay costs RCU grace periods (~0.1 ms idle, milliseconds on a busy machine),
    /// paid here while the command runs.
    /// </summary>
    public void WaitUntilExecuted()
    {
        if (!_released) throw new InvalidOperationException("the init stage has not been released");
        if (_messageFd >= 0) ProcessControl.WaitUntilNoReader(_messageFd);
        CloseMessagePipe();
        Binary.Dispose();
    }

    private bool _sent, _released, _consoleComing;

    /// <summary>run -t: the master of the container's pty, once <see cref="AwaitReady"/> has it (the caller closes it); else -1.</summary>
    public int Console { get; private set; } = -1;

    private void CloseMessagePipe()
    {
        if (_messageFd >= 0) ProcessControl.Close(_messageFd);
        _messageFd = -1;
    }

    public void Dispose()
    {
        Binary.Dispose();
        Output?.Dispose(); // once released, the runner has copied all of it
        if (_messageFd < 0) return;
        CloseMessagePipe(); // unreleased, it reads end of file, and leaves quietly if the signal does not come first
        if (_released) return; // the command runs: its runner waits for it
        Syscalls.Kill(Pid, Signal.Kill);
        ProcessControl.WaitForExit(Pid);
    }
}
