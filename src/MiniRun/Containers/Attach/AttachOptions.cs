namespace MiniRun.Containers.Attach;

/// <summary>How to attach: docker attach's and start -a's flags, and what the container has.</summary>
public sealed record AttachOptions
{
    /// <summary>The container has a terminal (-t): ours is raw while our stdin goes to it, and its size follows ours.</summary>
    public bool Tty { get; init; }
    /// <summary>Our stdin goes to the container (it was made with -i, and no --no-stdin).</summary>
    public bool Stdin { get; init; }
    public required DetachKeys DetachKeys { get; init; }
    /// <summary>--sig-proxy: without a terminal, SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to us go to the container's PID 1.</summary>
    public bool ProxySignals { get; init; }
    /// <summary>The terminal is told one row and column more, then our size, so that the program in it redraws
    /// (docker attach does: a shell shows its prompt again).</summary>
    public bool Redraw { get; init; }
}
