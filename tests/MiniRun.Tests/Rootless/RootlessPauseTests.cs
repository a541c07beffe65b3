using MiniRun.Tests.Support;

namespace MiniRun.Tests.Rootless;

/// <summary>The rootless pause process: one per store, made once even by commands that start together, and shared.</summary>
[Collection(RootlessCollection.Name)]
public class RootlessPauseTests
{
    [RootFact]
    public void FirstCommands_StartedTogether_MakeOnePauseAndShareItsNamespaces()
    {
        using var session = new RootlessSession();

        MiniRunCli.Result[] results = [.. Enumerable.Range(0, 4).AsParallel().Select(_ => session.Run("ps", "-q"))];
        int pause = Assert.NotNull(session.PausePid);
        string userNamespace = RootlessUsers.Run("readlink", $"/proc/{pause}/ns/user").Trim();
        string pauses = RootlessUsers.Run("pgrep", "-u", RootlessUsers.WithRange, "-f", "minirun-rootless-pause");
        bool oursOnly = pauses.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Count(pid => File.ReadAllText($"/proc/{pid}/environ").Contains(session.Store, StringComparison.Ordinal)) == 1;

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.True(oursOnly, "one pause process for the store");
        Assert.StartsWith("user:[", userNamespace);
        Assert.NotEqual(RootlessUsers.Run("readlink", "/proc/self/ns/user").Trim(), userNamespace);
    }

    /// <summary>Podman's `system migrate`: a change to /etc/subuid takes effect only in a namespace made after it.</summary>
    [RootFact]
    public void SystemMigrate_RunningContainer_IsStoppedAndThePauseMadeAnew()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        session.RunOk("run", "-d", "--name", "rl-migrate", "--network", "none", "minibox", "sleep", "300");
        int before = Assert.NotNull(session.PausePid);
        string namespaceBefore = RootlessUsers.Run("readlink", $"/proc/{before}/ns/user").Trim();

        MiniRunCli.Result migrate = session.RunOk("system", "migrate");

        Assert.Contains("stopped rl-migrate", migrate.Stdout);
        Assert.False(Directory.Exists($"/proc/{before}/task") && File.ReadAllText($"/proc/{before}/cmdline").Contains("minirun-rootless-pause"),
            "the pause process ended");
        Assert.StartsWith("exited", session.RunOk("inspect", "-f", "{{.State.Status}}", "rl-migrate").Stdout.Trim());
        int after = Assert.NotNull(session.PausePid);
        Assert.NotEqual(before, after);
        Assert.NotEqual(namespaceBefore, RootlessUsers.Run("readlink", $"/proc/{after}/ns/user").Trim());
        session.RunOk("start", "rl-migrate"); // the container's files and record survive into the new namespace
        Assert.Equal("running", session.RunOk("inspect", "-f", "{{.State.Status}}", "rl-migrate").Stdout.Trim());
    }
}
