namespace MiniRun.Tests.Images;

/// <summary>A root theory that also needs skopeo (apt-get install -y skopeo): a real tool's output is the best reference.</summary>
public sealed class SkopeoTheoryAttribute : TheoryAttribute
{
    public SkopeoTheoryAttribute()
    {
        if (!MiniRun.Native.Syscalls.IsRoot) Skip = "needs root: the layer store chowns and makes device nodes (run with sudo make test)";
        else if (!OnPath("skopeo")) Skip = "needs skopeo on PATH (apt-get install -y skopeo)";
    }

    internal static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));
}
