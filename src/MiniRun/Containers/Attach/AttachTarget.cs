namespace MiniRun.Containers.Attach;

/// <summary>
/// What a container's attach clients reach while it runs: its PID 1 (signals), its terminal's master (window size and,
/// with -i, input) or else its stdin pipe (-i without -t; the <see cref="AttachServer"/> owns and closes it).
/// </summary>
/// <param name="StdinOnce">Docker's Config.StdinOnce: the end of a client's input is the end of the container's stdin
/// (a created container started with -ai, not a `run -di` one, whose stdin outlives every client).</param>
public sealed record AttachTarget(int Pid, int Terminal, int StdinPipe, bool OpenStdin, bool StdinOnce);
