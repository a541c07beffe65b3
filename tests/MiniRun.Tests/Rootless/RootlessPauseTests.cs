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
}
