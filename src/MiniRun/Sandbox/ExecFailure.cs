using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>Docker's line and status when a stage's execve fails: 127 when the command is not found, 126 when it cannot be invoked.</summary>
public static class ExecFailure
{
    public static int Report(int errno, string command, IReadOnlyList<string> env)
    {
        SignalDisposition.IgnoreBrokenPipe(); // StageGuard.BeforeExec reset it for the command, which never ran
        if (ExecutableSearch.Find(command, env) is null)
        {
            Console.Error.WriteLine(UserMessages.Line($"exec: \"{command}\": executable file not found in $PATH"));
            return ExitCodes.NotFound;
        }
        Console.Error.WriteLine(UserMessages.Line($"exec: \"{command}\": {Errnos.Describe(errno).ToLowerInvariant()}"));
        return errno == Errnos.ENOENT ? ExitCodes.NotFound : ExitCodes.CannotInvoke;
    }
}
