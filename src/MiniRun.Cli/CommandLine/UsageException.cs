namespace MiniRun.Cli.CommandLine;

/// <summary>
/// The command line is wrong: printed with a pointer to --help. Docker's CLI exits 125 for a flag it cannot parse (an
/// unknown flag, a bad value) and 1 for a wrong number of arguments or an unknown command; <see cref="Arguments"/> makes the latter.
/// </summary>
public sealed class UsageException(string message, int exitStatus = 125) : MiniRunException(message)
{
    public int ExitStatus { get; } = exitStatus;

    /// <summary>Too few or too many arguments, or an unknown (sub)command: exit 1, as `docker stop` with none.</summary>
    public static UsageException Arguments(string message) => new(message, 1);
}
