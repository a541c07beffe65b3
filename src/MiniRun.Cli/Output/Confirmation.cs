namespace MiniRun.Cli.Output;

/// <summary>Docker's prompt before a prune: the warning, "Are you sure you want to continue? [y/N] ", one line read from stdin.</summary>
public static class Confirmation
{
    /// <summary>True when <paramref name="force"/> (-f) or the answer is y; no answer (stdin at its end) is no, as Docker's.</summary>
    public static bool Ask(string warning, bool force)
    {
        if (force) return true;
        Console.Out.Write($"{warning}\nAre you sure you want to continue? [y/N] ");
        Console.Out.Flush();
        string? answer = Console.In.ReadLine();
        return answer is not null && answer.Trim().Equals("y", StringComparison.OrdinalIgnoreCase);
    }
}
