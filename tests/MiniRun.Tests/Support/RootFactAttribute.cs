using Xunit;

namespace MiniRun.Tests.Support;

/// <summary>An integration test that needs root and the real kernel (mounts, namespaces). CI runs as root, so there it always runs.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!MiniRun.Native.Syscalls.IsRoot) Skip = "needs root: mounts, namespaces and device nodes (run with sudo make test)";
    }
}

/// <summary>A theory that needs root; see <see cref="RootFactAttribute"/>.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (!MiniRun.Native.Syscalls.IsRoot) Skip = "needs root: mounts, namespaces and device nodes (run with sudo make test)";
    }
}
