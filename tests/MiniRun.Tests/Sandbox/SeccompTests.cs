using MiniRun.Fixtures;

namespace MiniRun.Tests.Sandbox;

/// <summary>
/// Issue 14's finding 1 (host keyrings) and Docker's default seccomp profile, each written as the attack: a static
/// probe (seccomp-probe.c) inside a container tries what the profile refuses and reports the kernel's answer.
/// </summary>
public class SeccompTests(SeccompProbeFixture fixture) : IClassFixture<SeccompProbeFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    /// <summary>What the profile refuses with EPERM for a container with Docker's default capabilities.</summary>
    private static readonly string[] Refused =
        ["session_keyring", "add_key", "unshare_user", "perf_event_open", "io_uring_setup", "personality_read_implies_exec"];

    private Dictionary<string, string> Host(params string[] args) =>
        SeccompProbeFixture.Parse(ExternalCommand.Check(fixture.ProbeOnHost, args));

    /// <summary>Finding 1: a "user" key the host's root adds to its user keyring (@u), with a secret in it.</summary>
    private sealed class HostKey : IDisposable
    {
        private readonly string _probe;
        public string Id { get; }
        public string Secret { get; } = "secret-" + Guid.NewGuid().ToString("N");

        public HostKey(string probe)
        {
            _probe = probe;
            Id = ExternalCommand.Check(probe, "addkey", "minirun-test-" + Guid.NewGuid().ToString("N")[..8], Secret).Trim();
        }

        public void Dispose() => ExternalCommand.Run(_probe, ["unlink", Id]);
    }

    [RootFact]
    public void Run_HostUserKeyring_IsOutOfReachOfADefaultContainer()
    {
        using var key = new HostKey(fixture.ProbeOnHost);
        Assert.Equal("ok:" + key.Secret, Host(key.Id)["keyread"]); // the host itself reads it

        Dictionary<string, string> inside = fixture.Probe([], key.Id);

        Assert.Equal("EPERM", inside["keyread"]); // keyctl is refused by the filter, whatever the key
        Assert.NotEqual(Host()["session_keyring"], inside["session_keyring"]);
    }

    [RootFact]
    public void Run_SeccompUnconfined_HasItsOwnSessionKeyringButTheHostsUserKeyringStaysOpen()
    {
        using var key = new HostKey(fixture.ProbeOnHost);

        Dictionary<string, string> inside = fixture.Probe(["--security-opt", "seccomp=unconfined"], key.Id);

        // A session keyring of its own, as runc gives: the host's session keys are not the container's.
        Assert.True(long.TryParse(inside["session_keyring"], out _), inside["session_keyring"]);
        Assert.NotEqual(Host()["session_keyring"], inside["session_keyring"]);
        // The limitation, as under Docker: @u belongs to uid 0, inside and out, and the probe links it into its own
        // session keyring (keyctl link @u @s), which makes the host's key its own to read; only seccomp closes that.
        Assert.Equal("ok:" + key.Secret, inside["keyread"]);
    }

    [RootFact]
    public void Run_Default_RefusesWhatDockersDefaultProfileRefuses()
    {
        Dictionary<string, string> inside = fixture.Probe([]);

        Assert.Equal("2", inside["seccomp"]);
        foreach (string attempt in Refused) Assert.True(inside[attempt] == "EPERM", $"{attempt}={inside[attempt]}");
        Assert.Equal("ENOSYS", inside["clone3"]); // the profile's errnoRet 38: glibc falls back to clone
        Assert.Equal("ok", inside["mkdir"]); // the ordinary calls still work
    }

    [RootFact]
    public void Run_NoNewPrivileges_LoadsTheFilterLast()
    {
        Dictionary<string, string> inside = fixture.Probe(["--security-opt", "no-new-privileges"]);

        Assert.Equal("2", inside["seccomp"]);
        Assert.Equal("EPERM", inside["unshare_user"]);
        Assert.Equal("EPERM", inside["add_key"]);
    }

    [RootFact]
    public void Run_SeccompUnconfined_RefusesNothing()
    {
        Dictionary<string, string> host = Host();

        Dictionary<string, string> inside = fixture.Probe(["--security-opt", "seccomp=unconfined"]);

        Assert.Equal("0", inside["seccomp"]);
        foreach (string attempt in new[] { "add_key", "unshare_user", "personality_read_implies_exec" })
            Assert.True(inside[attempt] == "ok", $"{attempt}={inside[attempt]}");
        foreach (string attempt in new[] { "perf_event_open", "io_uring_setup" }) // where the host allows them, nothing refuses them
            if (host[attempt] == "ok") Assert.True(inside[attempt] != "EPERM", $"{attempt}={inside[attempt]}");
        Assert.Equal("EINVAL", inside["clone3"]); // the kernel's own answer to clone3(NULL, 0)
    }

    [RootFact]
    public void Run_Privileged_HasNoFilter()
    {
        Dictionary<string, string> inside = fixture.Probe(["--privileged"]);

        Assert.Equal("0", inside["seccomp"]);
        Assert.Equal("ok", inside["unshare_user"]);
    }

    [RootFact]
    public void Run_CapAddSysAdmin_GetsTheProfilesSysAdminRules()
    {
        Assert.Equal("EPERM", fixture.Probe([])["unshare_user"]); // a filter for the default set is cached first

        Dictionary<string, string> inside = fixture.Probe(["--cap-add", "SYS_ADMIN"]);

        Assert.Equal("2", inside["seccomp"]);
        Assert.Equal("ok", inside["unshare_user"]); // includes.caps CAP_SYS_ADMIN: another filter, not the cached one
        Assert.Equal("EINVAL", inside["clone3"]); // excludes.caps CAP_SYS_ADMIN: clone3 is the kernel's again
        Assert.Equal("EPERM", inside["add_key"]);
    }

    [RootFact]
    public void Run_CustomProfile_IsAppliedAndKeptForStart()
    {
        string profile = fixture.Scratch.Combine($"profile-{Guid.NewGuid():N}.json");
        File.WriteAllText(profile, """
            { "defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO" } ] }
            """);
        string name = "custom-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            MiniRunCli.Result run = Cli.Run("run", "--name", name, "--security-opt", $"seccomp={profile}", "--layer", fixture.ProbeLayer, fixture.Image, "/probe");
            Assert.True(run.ExitCode == 0, run.ToString());
            Dictionary<string, string> inside = SeccompProbeFixture.Parse(run.Stdout);
            Assert.Equal(("2", "EPERM", "ok", "ok"), (inside["seccomp"], inside["mkdir"], inside["unshare_user"], inside["add_key"]));

            File.Delete(profile); // the record keeps the profile's text
            Assert.Equal(0, Cli.Run("start", name).ExitCode);
            Assert.Equal("0", Cli.Run("wait", name).Stdout.Trim());
            string logs = Cli.Run("logs", name).Stdout;
            Assert.Contains("mkdir=EPERM", logs);
            Assert.DoesNotContain("mkdir=ok", logs);
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootTheory]
    [InlineData("{ \"defaultAction\": ")]
    [InlineData("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_FROWN\" } ] }")]
    [InlineData("{ \"syscalls\": [ { \"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\" } ] }")]
    public void Run_BrokenProfile_FailsWithOneLineAndCreatesNothing(string text)
    {
        string profile = fixture.Scratch.Combine($"broken-{Guid.NewGuid():N}.json");
        File.WriteAllText(profile, text);
        string before = Cli.Run("ps", "-aq").Stdout;

        MiniRunCli.Result result = Cli.Run("run", "--security-opt", $"seccomp={profile}", fixture.Image, "true");

        Assert.Equal(125, result.ExitCode);
        Assert.StartsWith($"minirun: seccomp profile {profile}: ", result.Stderr);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Equal(before, Cli.Run("ps", "-aq").Stdout);
    }

    [RootFact]
    public void Exec_IntoADefaultContainer_IsUnderTheSameFilter()
    {
        string name = "exec-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            MiniRunCli.Result started = Cli.Run("run", "-d", "--name", name, "--layer", fixture.ProbeLayer, fixture.Image, "sleep", "1000");
            Assert.True(started.ExitCode == 0, started.ToString());

            MiniRunCli.Result exec = Cli.Run("exec", name, "/probe");

            Assert.True(exec.ExitCode == 0, exec.ToString());
            Dictionary<string, string> inside = SeccompProbeFixture.Parse(exec.Stdout);
            Assert.Equal("2", inside["seccomp"]);
            foreach (string attempt in Refused) Assert.True(inside[attempt] == "EPERM", $"{attempt}={inside[attempt]}");
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }
}
