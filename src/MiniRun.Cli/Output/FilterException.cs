namespace MiniRun.Cli.Output;

/// <summary>
/// A --filter the listing refuses (unknown key, bad value, a before= that names nothing): Docker's daemon answers
/// these with an error, so the verb prints the line and exits 1, not 125.
/// </summary>
public sealed class FilterException(string message) : MiniRunException(message);
