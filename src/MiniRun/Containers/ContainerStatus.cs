namespace MiniRun.Containers;

/// <summary>
/// A container's status as observed now: created, running, exited, or dead (its runner vanished without recording
/// an exit); <see cref="Pid"/> is the host PID of its init process while that process is alive.
/// </summary>
public sealed record ContainerStatus(string Status, ContainerState State, int Pid)
{
    public bool Running => Status == "running";
}
