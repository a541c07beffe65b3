using MiniRun.Tests.Containers;

namespace MiniRun.Tests.HostReads;

/// <summary>
/// Issue 14, findings 5 and 6: a running container swaps, with renameat2(RENAME_EXCHANGE), one of its files for a
/// symlink to a host file, in a loop. Whatever the host side reads of the container (commit, export, the user lookup
/// of exec and run) must be the container's own files: a host file never ends up in an image, a tar, or a user's IDs.
/// </summary>
public class SymlinkRaceTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>, IDisposable
{
    private const int Attempts = 12;
    private readonly TempDirectory _scratch = new("minirun-symlink-race");
    private readonly string _secret = "HOSTSECRET-" + Guid.NewGuid().ToString("N");
    private MiniRunCli Cli => fixture.Cli;

    public void Dispose() => _scratch.Dispose();

    /// <summary>A host file only root may read, outside the store, holding <paramref name="content"/>.</summary>
    private string HostFile(string name, string content)
    {
        string path = _scratch.Combine(name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>A directory with the racer, stacked on the container with --layer.</summary>
    private string Tools()
    {
        string dir = _scratch.Combine("tools");
        Directory.CreateDirectory(dir);
        StaticProgram.Build(RacePrograms.Racer, Path.Combine(dir, "racer"));
        return dir;
    }

    /// <summary>Starts a detached container running <paramref name="script"/> and gives the racers a moment to start.</summary>
    private string StartRacing(string script)
    {
        string name = "race-" + Guid.NewGuid().ToString("N")[..12];
        MiniRunCli.Result run = Cli.Run("run", "-d", "--name", name, "--layer", Tools(), fixture.Image, "sh", "-c", script);
        Assert.True(run.ExitCode == 0, run.ToString());
        Thread.Sleep(500);
        Assert.Contains(name, Cli.Run("ps").Stdout);
        return name;
    }

    /// <summary>Four racers in /race, each swapping eight files as long as the secret with symlinks to the host file.</summary>
    private string StartSwappingDataFiles()
    {
        string secretFile = HostFile("secret", _secret);
        return StartRacing($"mkdir /race && cd /race && for r in 1 2 3 4; do pairs=; for i in 1 2 3 4 5 6 7 8; do " +
                           $"printf '%0{_secret.Length}d' 0 > f$r$i; ln -s {secretFile} l$r$i; pairs=\"$pairs f$r$i l$r$i\"; done; " +
                           "/racer $pairs & done; wait");
    }

    /// <summary>Every regular file below <paramref name="dir"/> that holds the secret (a committed symlink is fine: it is not followed).</summary>
    private List<string> FilesHoldingTheSecret(string dir) =>
        Directory.EnumerateFiles(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Where(f => MiniRun.Native.Syscalls.TryLStat(f) is { IsRegular: true })
            .Where(f => File.ReadAllText(f).Contains(_secret, StringComparison.Ordinal))
            .ToList();

    [RootTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Commit_WhileTheContainerSwapsASymlinkToAHostFileIn_NeverCommitsTheHostFile(bool pause)
    {
        string name = StartSwappingDataFiles();
        try
        {
            var failed = new List<MiniRunCli.Result>();
            for (int i = 0; i < Attempts; i++)
            {
                MiniRunCli.Result commit = pause ? Cli.Run("commit", name, $"{name}:{i}") : Cli.Run("commit", "--pause=false", name, $"{name}:{i}");
                if (commit.ExitCode != 0) failed.Add(commit);
            }

            List<string> leaked = FilesHoldingTheSecret(Path.Combine(Cli.StoreRoot, "layers"));
            Assert.True(leaked.Count == 0, $"the host file's content was committed into {leaked.Count} layer file(s): {string.Join(", ", leaked)}");
            Assert.True(failed.Count == 0, $"{failed.Count} of {Attempts} commits failed; the first: {failed.FirstOrDefault()}");
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Export_WhileTheContainerSwapsASymlinkToAHostFileIn_NeverExportsTheHostFile(bool pause)
    {
        string name = StartSwappingDataFiles();
        try
        {
            int leaked = 0;
            var failed = new List<MiniRunCli.Result>();
            for (int i = 0; i < Attempts; i++)
            {
                string tar = _scratch.Combine($"export-{i}.tar");
                MiniRunCli.Result export = pause ? Cli.Run("export", "-o", tar, name) : Cli.Run("export", "--pause=false", "-o", tar, name);
                if (export.ExitCode != 0) failed.Add(export);
                if (File.Exists(tar) && File.ReadAllText(tar).Contains(_secret, StringComparison.Ordinal)) leaked++;
                File.Delete(tar);
            }
            Assert.True(leaked == 0, $"the host file's content was in {leaked} of {Attempts} exports");
            Assert.True(failed.Count == 0, $"{failed.Count} of {Attempts} exports failed; the first: {failed.FirstOrDefault()}");
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void Exec_UserLookupWhileTheContainerSwapsPasswdForAHostFile_NeverTakesTheHostsUser()
    {
        string hostPasswd = HostFile("passwd", "secretuser:x:4242:4242::/secret:/bin/sh\n");
        // Two racers on the one pair: the names flip twice as often, so a look-then-open reader is caught more often.
        string name = StartRacing($"ln -s {hostPasswd} /etc/passwd.host && {{ /racer /etc/passwd /etc/passwd.host & exec /racer /etc/passwd /etc/passwd.host; }}");
        try
        {
            var outcomes = new List<MiniRunCli.Result>();
            for (int i = 0; i < 100; i++) outcomes.Add(Cli.Run("exec", "-u", "secretuser", name, "id", "-u"));

            int tookHostUser = outcomes.Count(r => r.ExitCode == 0 && r.Stdout.Trim() == "4242");
            Assert.True(tookHostUser == 0, $"exec ran as the host file's secretuser (uid 4242) in {tookHostUser} of 100 runs");
            Assert.All(outcomes, r => Assert.Contains("unable to find user secretuser", r.Stderr));
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void Run_UserLookupWithPasswdSymlinkedToAHostFile_NeverTakesTheHostsUser()
    {
        // Nothing runs in a container before its user is looked up, so here the symlink is there from the start.
        string hostPasswd = HostFile("passwd", "secretuser:x:4242:4242::/secret:/bin/sh\n");
        string layer = _scratch.Combine("passwd-layer");
        Directory.CreateDirectory(Path.Combine(layer, "etc"));
        File.CreateSymbolicLink(Path.Combine(layer, "etc", "passwd"), hostPasswd);

        MiniRunCli.Result run = Cli.Run("run", "--rm", "-u", "secretuser", "--layer", layer, fixture.Image, "id", "-u");

        Assert.DoesNotContain("4242", run.Stdout);
        Assert.Equal(125, run.ExitCode);
        Assert.Contains("unable to find user secretuser", run.Stderr);
    }
}
