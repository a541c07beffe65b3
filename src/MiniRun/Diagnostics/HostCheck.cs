namespace MiniRun.Diagnostics;

public enum CheckStatus { Ok, Warn, Fail }

/// <summary>One line of `minirun doctor`: what was checked, what was found and, when it is not ok, how to fix it.</summary>
public sealed record HostCheck(string Name, CheckStatus Status, string Found, string? Fix = null)
{
    public override string ToString()
    {
        string status = Status switch { CheckStatus.Ok => "ok", CheckStatus.Warn => "warn", _ => "FAIL" };
        return $"{status,-5} {Name,-12} {Found}{(Status != CheckStatus.Ok && Fix is not null ? " — fix: " + Fix : "")}";
    }
}
