using System.Text.Json.Serialization;

namespace MiniRun.Containers;

/// <summary>
/// A container's status as observed now: created, running, exited, or dead (its runner vanished without recording
/// an exit); <see cref="Pid"/> is the host PID of its init process while that process is alive.
/// </summary>
public sealed record ContainerStatus(StateStatus Status, ContainerState State, int Pid)
{
    public bool Running => Status == StateStatus.Running;
    /// <summary>Exited, and its supervisor waits to start it again (--restart): Docker's State.Restarting, no PID 1 meanwhile.</summary>
    public bool Restarting => Status == StateStatus.Restarting;
    /// <summary>Running, and frozen by `pause` (cgroup freezer) until `unpause`: Docker's State.Paused.</summary>
    public bool Paused { get; init; }
}

/// <summary>
/// Docker's State.Status values that MiniRun has (moby's container/state.go). A runner records created, running,
/// restarting and exited in state.json, in lower case as Docker spells them; dead and removing are only observed
/// (<see cref="ContainerStore.Observe"/>, <see cref="ContainerStore.ReadState"/>), never written.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<StateStatus>))]
public enum StateStatus
{
    [JsonStringEnumMemberName("created")] Created,
    [JsonStringEnumMemberName("running")] Running,
    /// <summary>Exited; its supervisor starts it again after the restart policy's back-off.</summary>
    [JsonStringEnumMemberName("restarting")] Restarting,
    [JsonStringEnumMemberName("exited")] Exited,
    /// <summary>Recorded as running, but its runner is gone (killed with SIGKILL): nobody can vouch for it.</summary>
    [JsonStringEnumMemberName("dead")] Dead,
    /// <summary>Listed a moment ago, taken away by a concurrent `rm` since.</summary>
    [JsonStringEnumMemberName("removing")] Removing,
}

public static class StateStatusNames
{
    /// <summary>The lower-case name, as state.json, inspect and messages write it (a switch: no reflection).</summary>
    public static string Name(this StateStatus status) => status switch
    {
        StateStatus.Created => "created",
        StateStatus.Running => "running",
        StateStatus.Restarting => "restarting",
        StateStatus.Exited => "exited",
        StateStatus.Dead => "dead",
        StateStatus.Removing => "removing",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
