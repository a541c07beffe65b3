using MiniRun.Containers;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>
/// Whether, and after how long, a container that exited is started again: moby's restartmanager, rule for rule. The
/// delay is 100 ms at the first restart and doubles at each one after, up to a minute; a run of 10 s or more brings it
/// back to 100 ms. on-failure[:N] restarts after a non-zero exit, N times at most (0: no limit); always restarts;
/// unless-stopped restarts unless the user stopped it. A restart the user cancelled (<see cref="ManualStop"/>) is the
/// caller's to check first, as moby's Cancel is.
/// </summary>
/// <param name="restartCount">the restarts made so far since the user's start (Docker's RestartCount).</param>
/// <param name="lastDelay">the back-off of the restart just made by another process (a foreground run handing over); zero for none.</param>
public sealed class RestartManager(RestartPolicy policy, int restartCount, TimeSpan lastDelay = default)
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(1);
    /// <summary>A run at least this long resets the back-off, whatever its exit.</summary>
    public static readonly TimeSpan ResetAfter = TimeSpan.FromSeconds(10);

    private TimeSpan _delay = lastDelay;

    public int RestartCount { get; private set; } = restartCount;

    /// <summary>The delay before the restart, or null when the container stays exited; a restart is counted.</summary>
    /// <param name="ran">how long the command ran, from its start to its exit.</param>
    public TimeSpan? ShouldRestart(int exitCode, bool manuallyStopped, TimeSpan ran)
    {
        if (policy.IsNone) return null;
        if (ran >= ResetAfter) _delay = TimeSpan.Zero;
        // As moby: the back-off moves on at every exit, whether or not this one restarts.
        _delay = _delay == TimeSpan.Zero ? FirstDelay : _delay < MaxDelay ? _delay * 2 : _delay;
        if (_delay > MaxDelay) _delay = MaxDelay;
        bool restart = policy.Name switch
        {
            RestartPolicy.Always => true,
            RestartPolicy.UnlessStopped => !manuallyStopped,
            RestartPolicy.OnFailure => exitCode != 0 && (policy.MaximumRetryCount == 0 || RestartCount < policy.MaximumRetryCount),
            _ => false,
        };
        if (!restart) return null;
        RestartCount++;
        return _delay;
    }
}
