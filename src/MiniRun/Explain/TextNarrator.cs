namespace MiniRun.Explain;

/// <summary>--explain: each step as "# why" and "+ command" on a writer (stderr), while the steps are performed;
/// a step done earlier (a layer unpacked at load) is marked "#(done)".</summary>
public sealed class TextNarrator(TextWriter writer) : IStepNarrator
{
    public bool Performs => true;

    public void Narrate(Step step)
    {
        writer.WriteLine("# " + step.Why);
        writer.WriteLine((step.AlreadyDone ? "#(done) " : step.Command.StartsWith('#') ? "" : "+ ") + step.Command); // "# …": nothing to run
        writer.Flush();
    }
}
