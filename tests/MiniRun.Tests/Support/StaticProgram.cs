using MiniRun.Fixtures;

namespace MiniRun.Tests.Support;

/// <summary>
/// A small C program built by an attack test with the machine's compiler, linked statically so that it runs in any
/// container (`run --layer DIR` stacks it on the image). scripts/deps.sh --ci installs gcc and the static libc.
/// </summary>
public static class StaticProgram
{
    /// <summary>Builds the C source text <paramref name="source"/> into <paramref name="output"/> and returns that path.</summary>
    public static string Build(string source, string output)
    {
        string file = output + ".c";
        File.WriteAllText(file, source);
        try { return BuildFile(file, output); }
        finally { File.Delete(file); }
    }

    /// <summary>Builds the C file <paramref name="sourcePath"/> into <paramref name="output"/> and returns that path.</summary>
    public static string BuildFile(string sourcePath, string output)
    {
        ExternalCommand.Result gcc = ExternalCommand.Run("gcc", ["-static", "-O2", "-o", output, sourcePath], TimeSpan.FromMinutes(2));
        Assert.True(gcc.ExitCode == 0, "gcc -static failed (scripts/deps.sh --ci installs gcc and libc6-dev): " + gcc.Stderr);
        return output;
    }
}
