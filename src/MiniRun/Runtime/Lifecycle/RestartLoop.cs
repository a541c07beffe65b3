using MiniRun.Containers;
using MiniRun.Containers.Attach;
using MiniRun.Native;
using MiniRun.Sandbox;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>
/// --restart, applied by the process that runs the container, since there is no daemon to do it. The detached supervisor
/// runs the container, and again each time <see cref="RestartManager"/> says so, after the back-off (the state says
/// "restarting" meanwhile, as Docker's). A foreground `run` returns the command's first exit status, as Docker's CLI does,
/// and hands the restarts to a supervisor, as Docker's CLI leaves them to the daemon. A stop by the user
/// (<see cref="ManualStop"/>) ends them until the next start. Nothing restarts anything after a reboot: there is no
/// daemon to start again (`minirun generate systemd` writes a unit for that).
/// </summary>
/// <param name="attach">the supervisor's attach clients: each run's end ends their sessions, as `docker attach` ends at each stop.</param>
public sealed class RestartLoop(ContainerRunner runner, ContainerStore containers, Container container, AttachServer? attach = null)
{
    /// <summary>The supervisor's PID, in the container's directory while it lives: a systemd unit's PIDFile=.</summary>
    public const string PidFileName = "supervisor.pid";

    private static readonly TimeSpan Nap = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan HandOverTimeout = TimeSpan.FromSeconds(30);

    private ContainerRecord Record => container.Record;

    /// <summary>`run` in the foreground: the command's exit status; a restart the policy asks for goes to a supervisor.</summary>
    public int Foreground(InitStageProcess stage)
    {
        if (Record.RestartPolicy.IsNone) return runner.Run(container, Record.StopTimeoutOrDefault(), stage);
        var manager = new RestartManager(Record.RestartPolicy, restartCount: 0);
        TimeSpan? delay = null;
        int status = runner.Run(container, Record.StopTimeoutOrDefault(), stage, state => delay = Decide(manager, state));
        if (delay is not null) HandOver();
        return status;
    }

    /// <summary>The supervisor: runs the container until it exits for good. Its own exit status is the command's last one,
    /// or 0 when the user stopped it (so a service manager sees a stop, not a failure).</summary>
    public int Supervise()
    {
        string pidFile = Path.Combine(container.Directory, PidFileName);
        File.WriteAllText(pidFile, $"{Environment.ProcessId}\n");
        try
        {
            ContainerState state = containers.ReadState(container);
            int status = state.ExitCode;
            bool handedOver = state.Status == StateStatus.Restarting; // by a foreground run, which made the first decision
            var manager = new RestartManager(Record.RestartPolicy, state.RestartCount, handedOver ? RestartManager.FirstDelay : TimeSpan.Zero);
            if (handedOver) TakeOver(state);
            TimeSpan? delay = handedOver ? RestartManager.FirstDelay : TimeSpan.Zero;
            while (delay is { } wait && WaitOut(wait))
            {
                delay = null;
                status = runner.Run(container, Record.StopTimeoutOrDefault(), stage: null, atExit: exited => delay = Decide(manager, exited), attach: attach);
                attach?.End(status, null);
            }
            return ManualStop.Read(container).Manual ? 0 : status;
        }
        finally
        {
            File.Delete(pidFile);
        }
    }

    /// <summary>A start by the user (run -d, start): restarts apply again and are counted from zero, as Docker's start resets them.</summary>
    public static void BeforeUserStart(ContainerStore containers, Container container)
    {
        ManualStop.Clear(container);
        ContainerState state = containers.ReadState(container);
        if (state.RestartCount == 0 && state.Status != StateStatus.Restarting) return;
        state.RestartCount = 0;
        if (state.Status == StateStatus.Restarting) state.Status = StateStatus.Exited; // its supervisor died waiting: not restarting
        containers.WriteState(container, state);
    }

    /// <summary>
    /// At the command's exit, before the state is written: restart or not. A restart is recorded at once (restarting, the
    /// count, this process as the one that will do it), so nobody sees the container exited between two runs.
    /// </summary>
    private TimeSpan? Decide(RestartManager manager, ContainerState state)
    {
        (bool manual, bool canceled) = ManualStop.Read(container);
        if (canceled) return null;
        TimeSpan ran = state.FinishedAt - state.StartedAt ?? TimeSpan.Zero;
        if (manager.ShouldRestart(state.ExitCode, manual, ran) is not { } delay) return null;
        HostProcess self = HostProcess.Self();
        state.Status = StateStatus.Restarting;
        state.RestartCount = manager.RestartCount;
        state.RunnerPid = self.Pid;
        state.RunnerStartTicks = self.StartTicks;
        return delay;
    }

    /// <summary>The back-off, in short naps; false, with the state then exited, as soon as the user cancels the restart.</summary>
    private bool WaitOut(TimeSpan delay)
    {
        if (delay == TimeSpan.Zero) return true; // the user's own start
        DateTime end = DateTime.UtcNow + delay;
        while (!ManualStop.Read(container).Canceled)
        {
            TimeSpan left = end - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return true;
            Thread.Sleep(left < Nap ? left : Nap);
        }
        ContainerState state = containers.ReadState(container);
        state.Status = StateStatus.Exited;
        state.RunnerPid = 0;
        state.RunnerStartTicks = 0;
        containers.WriteState(container, state);
        return false;
    }

    /// <summary>The supervisor a foreground run handed the container to becomes its runner (the run is about to exit).</summary>
    private void TakeOver(ContainerState state)
    {
        HostProcess self = HostProcess.Self();
        state.RunnerPid = self.Pid;
        state.RunnerStartTicks = self.StartTicks;
        containers.WriteState(container, state);
    }

    /// <summary>Starts the supervisor and waits until it has taken the container over, so it is never left without a runner.</summary>
    private void HandOver()
    {
        int pid = ContainerSupervisor.Spawn(containers, container, attachFirst: false);
        DateTime deadline = DateTime.UtcNow + HandOverTimeout;
        while (containers.ReadState(container) is { Status: StateStatus.Restarting } state && state.RunnerPid != pid) // or a stop ended it already
        {
            if (HostProcess.Find(pid) is null || DateTime.UtcNow >= deadline)
                throw new MiniRunException($"the supervisor that restarts container {container.ShortId} did not take it over: see {container.LogPath}");
            Thread.Sleep(5);
        }
    }
}
