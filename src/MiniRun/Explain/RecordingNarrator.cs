namespace MiniRun.Explain;

/// <summary>--dry-run: keeps the steps in order and performs nothing.</summary>
public sealed class RecordingNarrator : IStepNarrator
{
    private readonly List<Step> _steps = [];

    public bool Performs => false;

    public IReadOnlyList<Step> Steps => _steps;

    public void Narrate(Step step) => _steps.Add(step);
}
