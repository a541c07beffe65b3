namespace MiniRun.Containers.Logs;

/// <summary>Which of the container's streams a log entry came from; <see cref="Raw"/>: a line that is not a json-file entry.</summary>
public enum LogStream
{
    Stdout,
    Stderr,
    /// <summary>Written by an older MiniRun (the raw bytes of both streams) or by the supervisor itself: printed as it is.</summary>
    Raw,
}

/// <summary>One entry of the log: what was written (a line with its "\n", or a part of one), when, and to which stream.</summary>
/// <param name="Time">as stored (RFC 3339 with nanoseconds, UTC); null for a raw line.</param>
public sealed record LogEntry(LogStream Stream, byte[] Content, string? Time);
