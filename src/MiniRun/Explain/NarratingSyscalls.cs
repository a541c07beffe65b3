using MiniRun.Native;

namespace MiniRun.Explain;

/// <summary>--explain: each call printed as its shell command ("+ command", after "# why"), then passed on.</summary>
/// <param name="storeRoot">the store, whose long paths then print as shell variables (<see cref="PathLegend"/>); null: full paths.</param>
/// <param name="shorthands">the variables the narration that runs this one has defined already (NAME=VALUE).</param>
public sealed class NarratingSyscalls(ISyscalls inner, TextWriter writer, string? storeRoot = null, IEnumerable<string>? shorthands = null)
    : ShellSyscalls(writer, "+ ", storeRoot is null && shorthands is null ? null : new PathLegend(storeRoot, shorthands))
{
    protected override void Do(Action<ISyscalls> call) => call(inner);

    protected override T Do<T>(Func<ISyscalls, T> call, T asIfDone) => call(inner);

    public override FileStatus? LStat(string path) => inner.LStat(path);

    public override string? ReadKernelFile(string path) => inner.ReadKernelFile(path);
}
