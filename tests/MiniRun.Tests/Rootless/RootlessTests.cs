using System.Diagnostics;
using MiniRun.Fixtures.Tar;
using MiniRun.Native;
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

    /// <summary>vfs, the fallback where overlay cannot be mounted, in the user namespace: full copies, diff and commit without an upper dir.</summary>
    [RootFact]
    public void VfsStore_RunDiffCommit_AsOrdinaryUser_WorkWithFullCopies()
    {
        using var session = new RootlessSession();
        session.RunOk("--storage-driver", "vfs", "images"); // the new store takes the driver and keeps it
        session.LoadMinibox();
        session.RunOk("run", "--name", "rl-vfs", "minibox", "sh", "-c", "echo x > /new; rm /bin/ls; rm -rf /home; mkdir /home; touch /home/f");

        string diff = session.RunOk("diff", "rl-vfs").Stdout;
        session.RunOk("commit", "rl-vfs", "rl-vfs-committed:latest");
        string inside = session.RunOk("run", "--rm", "rl-vfs-committed", "sh", "-c", "cat /new; ls /home; test -e /bin/ls || echo gone").Stdout;
        string info = session.RunOk("info").Stdout;
        bool upperDir = Directory.Exists(Path.Combine(session.Store, "containers", session.RunOk("inspect", "-f", "{{.Id}}", "rl-vfs").Stdout.Trim(), "diff"));
        session.RunOk("rm", "rl-vfs");
        session.RunOk("rmi", "rl-vfs-committed");

        Assert.Contains("A /new", diff);
        Assert.Contains("D /bin/ls", diff);
        Assert.Contains("A /home/f", diff);
        Assert.Equal(["x", "f", "gone"], Lines(inside));
        Assert.Contains(" Storage Driver: vfs\n", info);
        Assert.False(upperDir);
    }

    /// <summary>
    /// btrfs for an ordinary user: on a btrfs of the test's own, the user's store (theirs, its layers and containers
    /// subvolumes they own) snapshots, diffs and commits; rm and rmi delete the subvolumes though the kernel refuses
    /// the user the delete ioctl (no user_subvol_rm_allowed): emptied and rmdir()ed, read-only ones made writable first.
    /// </summary>
    [BtrfsFact]
    public void BtrfsStore_RunDiffCommitRm_AsOrdinaryUser_WorkWithSnapshots()
    {
        using var btrfs = new BtrfsFileSystem();
        using var session = new RootlessSession();
        File.SetUnixFileMode(Path.GetDirectoryName(btrfs.MountPoint)!, (UnixFileMode)0x1ed); // 0755: the user reaches the mount
        string root = btrfs.Combine("user"), store = Path.Combine(root, "store");
        Directory.CreateDirectory(root);
        (int uid, int gid) = RootlessUsers.Ids(session.User);
        Syscalls.LChown(root, uid, gid);
        string tar = Path.Combine(session.Directory, "minibox.tar");
        File.Copy(Path.Combine(MiniRunCli.RepositoryRoot, "artifacts", "minibox.tar"), tar);
        File.SetUnixFileMode(tar, (UnixFileMode)0x1a4); // 0644
        MiniRunCli.Result Run(params string[] args) => session.RunOk(["--root", store, .. args]);
        try
        {
            Run("--storage-driver", "btrfs", "load", "-i", tar);
            Run("run", "--name", "rl-btrfs", "minibox", "sh", "-c", "echo x > /new; rm /bin/ls");
            string diff = Run("diff", "rl-btrfs").Stdout;
            Run("commit", "rl-btrfs", "rl-btrfs-committed:latest");
            string inside = Run("run", "--rm", "rl-btrfs-committed", "sh", "-c", "cat /new; test -e /bin/ls || echo gone").Stdout;
            string id = Run("inspect", "-f", "{{.Id}}", "rl-btrfs").Stdout.Trim();
            bool containerSubvolume = BtrfsSubvolumes.IsSubvolume(Path.Combine(store, "containers", id, "merged"));
            string[] layerTrees = Directory.GetDirectories(Path.Combine(store, "btrfs", "subvolumes"));
            bool allReadOnly = layerTrees.All(BtrfsSubvolumes.IsReadOnly);
            Run("rm", "rl-btrfs");
            Run("rmi", "rl-btrfs-committed");

            Assert.Equal(["C /bin", "D /bin/ls", "A /new"], Lines(diff));
            Assert.Equal(["x", "gone"], Lines(inside));
            Assert.True(containerSubvolume);
            Assert.Equal(2, layerTrees.Length); // minibox's layer and the committed one
            Assert.True(allReadOnly);
            Assert.False(Directory.Exists(Path.Combine(store, "containers", id)));
            Assert.Single(Directory.GetDirectories(Path.Combine(store, "btrfs", "subvolumes"))); // minibox's only
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(store, "tmp")));
        }
        finally
        {
            session.Run("--root", store, "rm", "-f", "rl-btrfs");
            string pauseFile = Path.Combine(store, "rootless", "pause.pid");
            if (File.Exists(pauseFile)) Syscalls.Kill(int.Parse(File.ReadAllText(pauseFile).Trim()), Signal.Kill);
        }
    }

    [RootFact]
    public void Run_MemoryLimit_IsRefusedInOneLine()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();

        MiniRunCli.Result result = session.Run("run", "--rm", "--memory", "64m", "minibox", "true");

        Assert.Equal(125, result.ExitCode);
        // This machine's cgroup2 holds hugetlb only, and no group is the user's (CgroupDelegation): one line that says so.
        Assert.Matches(@"^minirun: --memory needs the memory controller in a cgroup v2 subtree delegated to the user, and .+; run without it, or as root \(see minirun doctor\)\n$", result.Stderr);
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
    public void Run_CommandExitStatus_IsMiniRunsExitStatus()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();

        Assert.Equal(3, session.Run("run", "--rm", "minibox", "sh", "-c", "exit 3").ExitCode);
    }

    [RootFact]
    public void Run_SigtermToTheLauncher_ReachesTheContainer()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        using Process run = session.Start("run", "--rm", "minibox", "sh", "-c", "trap 'echo got-term; exit 7' TERM; echo ready; sleep 30 & wait");
        try
        {
            Assert.Equal("ready", run.StandardOutput.ReadLine()); // its trap is set (the line ends when the container does)

            MiniRun.Native.Syscalls.Kill(run.Id, MiniRun.Native.Signal.Term);

            Assert.True(run.WaitForExit(TimeSpan.FromSeconds(20)), "minirun run did not end after SIGTERM");
            Assert.Equal(7, run.ExitCode);
            Assert.Equal("got-term\n", run.StandardOutput.ReadToEnd());
        }
        finally
        {
            if (!run.HasExited) run.Kill(entireProcessTree: true);
        }
    }

    [RootFact]
    public void Import_DeviceNodeInTheLayer_IsSkippedTheRestUnpackedWithItsOwners()
    {
        using var session = new RootlessSession();
        string tar = Path.Combine(session.Directory, "rootfs.tar");
        File.WriteAllBytes(tar, new TarBuilder().Directory("dev").CharDevice("dev/mem", 1, 1).File("hello", "hi\n", uid: 1000, gid: 1000).ToArray());
        File.SetUnixFileMode(tar, (UnixFileMode)0x1a4);

        session.RunOk("import", tar, "rl-devices:1");

        string layers = Path.Combine(session.Store, "layers");
        Assert.Equal("", RootlessUsers.Run("find", layers, "-name", "mem"));
        string hello = RootlessUsers.Run("find", layers, "-name", "hello").Trim();
        Assert.Equal($"{RootlessUsers.RangeStart + 999}:{RootlessUsers.RangeStart + 999}", RootlessUsers.Run("stat", "-c", "%u:%g", hello).Trim());
    }

    [RootFact]
    public void Import_OwnerOutsideTheRange_IsRefusedNamingTheFileAndTheMaps()
    {
        using var session = new RootlessSession();
        string tar = Path.Combine(session.Directory, "rootfs.tar");
        File.WriteAllBytes(tar, new TarBuilder().File("far", "x", uid: 70000, gid: 0).ToArray());
        File.SetUnixFileMode(tar, (UnixFileMode)0x1a4);

        MiniRunCli.Result result = session.Run("import", tar, "rl-far:1");

        Assert.Equal(1, result.ExitCode); // import's failure status, as Docker's
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("far is owned by 70000:0, outside the IDs of this rootless user namespace (uid_map 0 ", result.Stderr);
        Assert.Contains($"1 {RootlessUsers.RangeStart} {RootlessUsers.RangeCount}", result.Stderr);
    }

    [RootFact]
    public void Run_PidOrIpcHost_IsRefusedInOneLine()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();

        MiniRunCli.Result pid = session.Run("run", "--rm", "--pid", "host", "minibox", "true");
        MiniRunCli.Result ipc = session.Run("run", "--rm", "--ipc", "host", "minibox", "true");

        Assert.Equal((125, "minirun: --pid host needs root: a rootless container cannot mount the host's /proc\n"), (pid.ExitCode, pid.Stderr));
        Assert.Equal((125, "minirun: --ipc host needs root: a rootless container cannot mount the host's /dev/mqueue\n"), (ipc.ExitCode, ipc.Stderr));
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

    [RootFact]
    public void InfoAndDoctor_AsOrdinaryUser_SayRootlessAndTheMaps()
    {
        using var session = new RootlessSession();
        (int uid, int gid) = RootlessUsers.Ids(RootlessUsers.WithRange);

        string info = session.RunOk("info").Stdout;
        string doctor = session.RunOk("doctor").Stdout;

        Assert.Contains($" Rootless: true (uid_map 0 {uid} 1, 1 {RootlessUsers.RangeStart} {RootlessUsers.RangeCount}; gid_map 0 {gid} 1, 1 {RootlessUsers.RangeStart} {RootlessUsers.RangeCount})", info);
        Assert.Contains($" Root Dir: {session.Store}\n", info);
        Assert.Contains($"rootless mode for {RootlessUsers.WithRange}", doctor);
        Assert.Contains($"{session.Store}: format", doctor);
    }

    /// <summary>Files the rootless users own directly in /tmp and below, but for the sessions' own directories.</summary>
    /// <summary>The users' files in /tmp but the sessions' own. find's status is not asked: a file another process removes
    /// while find walks makes it exit 1, and the comparison of the two listings is what tells.</summary>
    private static List<string> UsersFilesInTmp() =>
        [.. RootlessUsers.Output("find", "/tmp", "-xdev", "(", "-user", RootlessUsers.WithRange, "-o", "-user", RootlessUsers.WithoutRange, ")",
            "-not", "-path", "/tmp/minirun-rootless-*").Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('/')).Order(StringComparer.Ordinal)];

    private static string[] Lines(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))];
}

/// <summary>One at a time: they share the two users (and the first one makes them).</summary>
[CollectionDefinition(Name)]
public sealed class RootlessCollection
{
    public const string Name = "rootless";
}
