namespace MiniRun.Explain;

/// <summary>
/// The seam every narrated side effect passes through: --explain prints each step before it is done;
/// --dry-run only records it (<see cref="Performs"/> is false) and the caller must then skip the effect.
/// </summary>
public interface IStepNarrator
{
    /// <summary>False when steps are only recorded (--dry-run): nothing may be done.</summary>
    bool Performs { get; }

    void Narrate(Step step);
}
