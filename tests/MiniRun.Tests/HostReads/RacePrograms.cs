namespace MiniRun.Tests.HostReads;

/// <summary>The C sources of the host-read attacks, built with <see cref="StaticProgram"/>.</summary>
internal static class RacePrograms
{
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
