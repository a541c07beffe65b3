namespace MiniRun.Store;

/// <summary>
/// One step from format <see cref="From"/> to the next. <see cref="Apply"/> must be idempotent: a crash after it and
/// before its format is recorded runs it again.
/// </summary>
/// <param name="Change">what the step does to the store, in the words shown once when it runs.</param>
public sealed record StoreMigration(int From, string Change, Action<StorePaths> Apply)
{
    public int To => From + 1;
}
