namespace MiniRun.Sandbox;

/// <summary>Docker's exit statuses for failures before the command runs (docker run reference, "Exit Status").</summary>
public static class ExitCodes
{
    /// <summary>minirun itself failed.</summary>
    public const int RuntimeError = 125;
    /// <summary>The command exists but cannot be invoked (permission denied, not executable).</summary>
    public const int CannotInvoke = 126;
    /// <summary>The command was not found.</summary>
    public const int NotFound = 127;
}
