using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;

namespace MiniRun.Cli.Verbs;

/// <summary>
/// How load and import fail: one line, exit 1, as docker's (the engine refuses the archive, the CLI exits 1; only its
/// flag errors exit 125, and those stay with the parser).
/// </summary>
internal static class LoadImportFailure
{
    public const int ExitCode = 1;

    public static bool IsFailure(Exception e) => UserMessages.IsUserFacing(e) && e is not UsageException;

    public static int Print(Exception e)
    {
        ErrorPrinter.Print(e);
        return ExitCode;
    }

    public static int Print(string message)
    {
        ErrorPrinter.Print(message);
        return ExitCode;
    }
}
