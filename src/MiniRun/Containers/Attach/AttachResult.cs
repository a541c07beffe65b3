namespace MiniRun.Containers.Attach;

/// <summary>How an attach ended: the container stopped, the detach keys were typed, the supervisor went away without
/// a word (killed), or a signal ended the attach itself.</summary>
public enum AttachEnd { Exited, Detached, Lost, Signalled }

/// <param name="ExitCode">the container's exit status (<see cref="AttachEnd.Exited"/>), or 128 + the signal that ended the attach.</param>
/// <param name="Error">minirun's own failure to run the container, if that is how it stopped.</param>
public sealed record AttachResult(AttachEnd End, int ExitCode = 0, string? Error = null);
