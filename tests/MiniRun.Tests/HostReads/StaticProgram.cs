using System.Diagnostics;

namespace MiniRun.Tests.HostReads;

/// <summary>A small C program built by the test with the machine's compiler, linked statically so it runs in any container.</summary>
internal static class StaticProgram
{
    /// <summary>Builds <paramref name="source"/> into <paramref name="output"/> (gcc -static) and returns that path.</summary>
    public static string Build(string source, string output)
    {
        string file = output + ".c";
        File.WriteAllText(file, source);
        var psi = new ProcessStartInfo("gcc") { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-static", "-O2", "-o", output, file }) psi.ArgumentList.Add(arg);
        using Process gcc = Process.Start(psi)!;
        string errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        Assert.True(gcc.ExitCode == 0, "gcc -static failed (scripts/deps.sh --ci installs gcc and libc6-dev): " + errors);
        File.Delete(file);
        return output;
    }

    /// <summary>
    /// `racer A1 B1 [A2 B2 ...]`: swaps each pair of names in turn with renameat2(RENAME_EXCHANGE) as fast as it can,
    /// forever: at any instant each name is one of its two files, and a reader that looks, then opens, by path can get
    /// the other.
    /// </summary>
    public const string Racer = """
        #define _GNU_SOURCE
        #include <fcntl.h>
        #include <stdio.h>
        #include <sys/syscall.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            if (argc < 3 || argc % 2 == 0) return 2;
            for (;;)
                for (int i = 1; i + 1 < argc; i += 2)
                    if (syscall(SYS_renameat2, AT_FDCWD, argv[i], AT_FDCWD, argv[i + 1], 2 /* RENAME_EXCHANGE */) != 0) { perror("renameat2"); return 1; }
        }
        """;
}
