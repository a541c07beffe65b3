using MiniRun.Tests.Support;

namespace MiniRun.Tests.Rootless;

/// <summary>
/// `minirun` as an ordinary user (issue 20): the user namespace of the user's subordinate range, the user's own store,
/// overlay with user.overlay.* xattrs, limits refused, nothing of root's left behind. Run as root, which makes the users
/// and runs minirun as them through runuser.
/// </summary>
[Collection(RootlessCollection.Name)]
public class RootlessTests
{
    [RootFact]
    public void Run_AsOrdinaryUser_RunsTheCommand()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();

        MiniRunCli.Result result = session.RunOk("run", "--rm", "minibox", "echo", "hi");

        Assert.Equal("hi\n", result.Stdout);
    }

    [RootFact]
    public void Run_UidMap_IsTheUserThenTheSubordinateRange()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        (int uid, _) = RootlessUsers.Ids(RootlessUsers.WithRange);

        string map = session.RunOk("run", "--rm", "minibox", "cat", "/proc/self/uid_map").Stdout;

        Assert.Equal([$"0 {uid} 1", $"1 {RootlessUsers.RangeStart} {RootlessUsers.RangeCount}"], Lines(map));
    }

    [RootFact]
    public void Run_UserNobody_HasItsIdInsideTheRange()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();

        Assert.Equal("65534\n", session.RunOk("run", "--rm", "-u", "nobody", "minibox", "id", "-u").Stdout);
    }

    [RootFact]
    public void Run_RootOnlyHostFile_RootInsideCannotReadIt()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        string secret = Path.Combine(session.Directory, "secret");
        File.WriteAllText(secret, "root's\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite); // 0600, root's

        MiniRunCli.Result result = session.Run("run", "--rm", "-v", $"{secret}:/secret", "minibox", "cat", "/secret");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Permission denied", result.Stderr);
        Assert.DoesNotContain("root's", result.Stdout);
    }

    [RootFact]
    public void RunDetached_ExecThenRemove_ExecRunsInTheContainersPidNamespace()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        session.RunOk("run", "-d", "--name", "rl-exec", "--network", "none", "minibox", "sleep", "300");

        MiniRunCli.Result exec = session.RunOk("exec", "rl-exec", "sh", "-c", "echo $$; cat /proc/1/cmdline");
        session.RunOk("rm", "-f", "rl-exec");

        string[] lines = Lines(exec.Stdout);
        Assert.NotEqual("1", lines[0]);
        Assert.Equal("sleep300", lines[1].Replace("\0", ""));
        Assert.Equal("", session.RunOk("ps", "-aq").Stdout);
    }

    [RootFact]
    public void DiffAndCommit_WhiteoutAndOpaqueDirectory_UseUserOverlayXattrs()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        session.RunOk("run", "--name", "rl-diff", "minibox", "sh", "-c", "echo x > /new; rm /bin/ls; rm -rf /home; mkdir /home; touch /home/f");

        string diff = session.RunOk("diff", "rl-diff").Stdout;
        session.RunOk("commit", "rl-diff", "rl-committed:latest");
        string inside = session.RunOk("run", "--rm", "rl-committed", "sh", "-c", "cat /new; ls /home; test -e /bin/ls || echo gone").Stdout;
        string upper = Path.Combine(session.Store, "containers", session.RunOk("inspect", "-f", "{{.Id}}", "rl-diff").Stdout.Trim());
        string xattrs = RootlessUsers.Run("getfattr", "-d", "-m", "-", Path.Combine(upper, "diff", "home"));
        session.RunOk("rm", "rl-diff");
        session.RunOk("rmi", "rl-committed");

        Assert.Contains("A /new", diff);
        Assert.Contains("D /bin/ls", diff);
        Assert.Contains("A /home/f", diff);
        Assert.Equal(["x", "f", "gone"], Lines(inside));
        Assert.Contains("user.overlay.opaque=\"y\"", xattrs);
        Assert.DoesNotContain("trusted.", xattrs);
    }

    [RootFact]
    public void Run_MemoryLimit_IsRefusedInOneLine()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();

        MiniRunCli.Result result = session.Run("run", "--rm", "--memory", "64m", "minibox", "true");

        Assert.Equal(125, result.ExitCode);
        Assert.Equal($"minirun: resource limits need a cgroup v2 subtree delegated to {RootlessUsers.WithRange}; this machine has none (see minirun doctor)\n", result.Stderr);
    }

    [RootFact]
    public void Run_BridgeNetwork_IsRefusedInOneLine()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();

        MiniRunCli.Result result = session.Run("run", "--rm", "--network", "bridge", "minibox", "true");

        Assert.Equal(125, result.ExitCode);
        Assert.Equal("minirun: bridge networks need root; rootless containers have pasta (the user-mode network, their default), host or none\n", result.Stderr);
    }

    [RootFact]
    public void Commands_AfterAll_LeaveNoRootOwnedFileAndNothingOutsideTheStore()
    {
        List<string> tmpBefore = UsersFilesInTmp();
        string storeParent;
        using (var session = new RootlessSession())
        {
            storeParent = session.Directory;
            session.LoadMinibox();
            session.RunOk("run", "--rm", "minibox", "sh", "-c", "echo a > /a; mkdir -p /root/x");
            session.RunOk("run", "-d", "--name", "rl-all", "minibox", "sleep", "300");
            session.RunOk("exec", "rl-all", "sh", "-c", "rm /etc/passwd; echo b > /b");
            session.RunOk("commit", "rl-all", "rl-all-image");
            session.RunOk("rm", "-f", "rl-all");

            string rootOwned = RootlessUsers.Run("find", session.Directory, "-uid", "0", "-path", $"{session.Home}*");
            string outsideStore = RootlessUsers.Run("find", session.Home, "-mindepth", "1", "-not", "-path", $"{Path.Combine(session.Home, "data")}*",
                "-not", "-path", Path.Combine(session.Home, "data"));
            Assert.Equal("", rootOwned);
            Assert.Equal("", outsideStore);
        }
        Assert.Equal(tmpBefore, UsersFilesInTmp());
        Assert.DoesNotContain(storeParent, File.ReadAllText("/proc/mounts"));
    }

    [RootFact]
    public void Run_UserWithoutSubordinateIds_GetsTheOneIdMapAndANotice()
    {
        using var session = new RootlessSession(RootlessUsers.WithoutRange);
        session.LoadMinibox();
        (int uid, _) = RootlessUsers.Ids(RootlessUsers.WithoutRange);

        MiniRunCli.Result result = session.RunOk("run", "--rm", "minibox", "cat", "/proc/self/uid_map");

        Assert.Equal([$"0 {uid} 1"], Lines(result.Stdout));
        Assert.Equal("", result.Stderr); // the notice came once, with the first command (the load), when the namespace was made
    }

    [RootFact]
    public void Load_UserWithoutSubordinateIds_SaysTheContainerHasOneId()
    {
        using var session = new RootlessSession(RootlessUsers.WithoutRange);

        MiniRunCli.Result result = session.RunOk("images");

        Assert.Equal($"minirun: no subordinate IDs for {RootlessUsers.WithoutRange} in /etc/subuid and /etc/subgid: the container has one ID (root, which is you) and image files of other owners become root's; " +
            $"add a range with: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {RootlessUsers.WithoutRange}\n", result.Stderr);
    }

    /// <summary>Files the rootless users own directly in /tmp and below, but for the sessions' own directories.</summary>
    private static List<string> UsersFilesInTmp() =>
        [.. RootlessUsers.Run("find", "/tmp", "-xdev", "(", "-user", RootlessUsers.WithRange, "-o", "-user", RootlessUsers.WithoutRange, ")",
            "-not", "-path", "/tmp/minirun-rootless-*").Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];

    private static string[] Lines(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))];
}

/// <summary>One at a time: they share the two users (and the first one makes them).</summary>
[CollectionDefinition(Name)]
public sealed class RootlessCollection
{
    public const string Name = "rootless";
}
