using MiniRun.Tests.Parity;

namespace MiniRun.Tests.Rootless;

/// <summary>
/// Rootless against root and Docker (issue 20's done-when): the parity image Docker built shows the same tree in an
/// ordinary user's container as in Docker's, and the same probe sees the same runtime as root's but for the named
/// differences a user namespace cannot avoid (<see cref="RuntimeFingerprint.RootlessOnly"/>).
/// </summary>
[Collection(RootlessCollection.Name)]
public sealed class RootlessParityTests(ParityImage image) : IClassFixture<ParityImage>
{
    [DockerFact]
    public void Load_ParityImageAsOrdinaryUser_GivesSameTreeAsDocker()
    {
        using var session = new RootlessSession();
        // The user's copy of Docker's save: the fixture's directory may be closed to other users. The session removes it.
        string tar = Path.Combine(session.Directory, "parity.tar");
        File.Copy(image.Archive(ParityFormat.DockerSave), tar);
        File.SetUnixFileMode(tar, (UnixFileMode)0x1a4); // 0644
        session.RunOk("load", "-i", tar, "--tag", image.Name);

        MiniRunCli.Result run = session.RunOk(["run", "--rm", "--network", "none", image.Name, .. TreeListing.Command]);

        string difference = TreeListing.Difference(image.DockerListing, TreeListing.Parse(run.Stdout), actualName: "rootless minirun");
        Assert.True(difference.Length == 0, difference);
    }

    [RootFact]
    public void Run_Fingerprint_IsRootsButForTheNamedDifferences()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        using var store = new TempDirectory("minirun-fingerprint-root");
        new MiniRunCli(store.Path).RunOk("load", "-i", Path.Combine(session.Directory, "minibox.tar"));
        (int uid, int gid) = RootlessUsers.Ids(RootlessUsers.WithRange);
        IReadOnlyList<RuntimeFingerprint.Difference> differences = RuntimeFingerprint.RootlessOnly(uid, gid, RootlessUsers.RangeStart);
        string[] run = ["run", "--rm", "--network", "none", "minibox", .. RuntimeFingerprint.Command];

        MiniRunCli.Result rootless = session.RunOk(run);
        MiniRunCli.Result root = RunAsRootLikeTheSession(session, store.Path, run);

        var used = new HashSet<string>();
        List<string> theirs = RuntimeFingerprint.Apply(rootless.Stdout, differences, rootless: true, used);
        List<string> ours = RuntimeFingerprint.Apply(root.Stdout, differences, rootless: false, used);
        string difference = TreeListing.Difference(ours, theirs, "root", "rootless");
        Assert.True(difference.Length == 0, difference);
        Assert.Equal(ours, theirs); // the same order too (mounts)
        // Each allowance is needed: one that no longer changes anything is a difference fixed, to be struck off the list.
        Assert.Equal(differences.Select(d => d.Field).Order(StringComparer.Ordinal), used.Order(StringComparer.Ordinal));
        // The probe saw what it asks (a script that broke halfway would compare equal too).
        Assert.Contains("mount: /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime tmpfs rw,mode=755", theirs);
        Assert.Contains(theirs, l => l.StartsWith("sysctl: net/ipv4/ping_group_range ", StringComparison.Ordinal));
    }

    /// <summary>
    /// `minirun --root STORE args…` as root through the same runuser and env -i as <see cref="RootlessSession.Run"/>: the
    /// same login session (pam_limits), so the limits the container inherits are the same as the user's.
    /// </summary>
    private static MiniRunCli.Result RunAsRootLikeTheSession(RootlessSession session, string store, string[] args)
    {
        MiniRunCli.Result result = session.RunUser("root", ["HOME=/root"], [MiniRunCli.BinaryPath, "--root", store, .. args], workingDirectory: null);
        Assert.True(result.ExitCode == 0, $"minirun {string.Join(' ', args)} as root: {result}");
        return result;
    }
}
