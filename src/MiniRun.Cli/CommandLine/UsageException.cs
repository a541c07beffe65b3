namespace MiniRun.Cli.CommandLine;

/// <summary>The command line is wrong: printed with a pointer to --help, exit 125 as Docker's flag errors.</summary>
public sealed class UsageException(string message) : MiniRunException(message);
