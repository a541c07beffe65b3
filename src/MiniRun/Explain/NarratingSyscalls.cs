using MiniRun.Native;

namespace MiniRun.Explain;

/// <summary>--explain: each call printed as its shell command ("+ command", after "# why"), then passed on.</summary>
public sealed class NarratingSyscalls(ISyscalls inner, TextWriter writer) : ShellSyscalls(writer, "+ ")
{
    protected override void Do(Action<ISyscalls> call) => call(inner);

    protected override T Do<T>(Func<ISyscalls, T> call, T asIfDone) => call(inner);

    public override FileStatus? LStat(string path) => inner.LStat(path);

    public override string? ReadKernelFile(string path) => inner.ReadKernelFile(path);
}
