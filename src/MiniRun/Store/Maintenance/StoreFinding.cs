namespace MiniRun.Store.Maintenance;

/// <summary>One thing `system check` found wrong; <see cref="Repair"/> says what --repair did about it (null: nothing).</summary>
public sealed record StoreFinding(string Problem, string? Repair)
{
    public bool Repaired => Repair is not null && !Repair.StartsWith("repair failed", StringComparison.Ordinal);
}

/// <summary>What `system check` saw: its findings, the store's format (<see cref="StoreFormat"/>) and how much it checked.</summary>
public sealed record StoreCheckReport(IReadOnlyList<StoreFinding> Findings, int Format, int Layers, int Images, int Containers)
{
    /// <summary>Nothing wrong, or everything wrong repaired.</summary>
    public bool Healthy => Findings.All(f => f.Repaired);
}
