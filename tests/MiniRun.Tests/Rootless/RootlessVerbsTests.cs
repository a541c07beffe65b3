using System.Text.Json;
using MiniRun.Tests.Support;

namespace MiniRun.Tests.Rootless;

/// <summary>
/// "Every verb works rootless or says in one line why it cannot" (issue 20): the verbs that read a cgroup (top, stats),
/// make bridges (network create, connect), are the OCI runtime, or show the host a path of the rootless mount namespace
/// (mount), as an ordinary user. This machine delegates no cgroup to the users (see RootlessTests.Run_MemoryLimit_…):
/// rootless containers have no cgroup of their own here.
/// </summary>
[Collection(RootlessCollection.Name)]
public class RootlessVerbsTests
{
    [RootFact]
    public void Top_RootlessContainer_ListsItsPidNamespaceWithHostPidsAndTheUsersName()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        session.RunOk("run", "-d", "--network", "none", "--name", "rl-top", "minibox", "sh", "-c", "sleep 1001 & exec sleep 1002");
        session.RunOk("exec", "rl-top", "sh", "-c", "sleep 1003 >/dev/null 2>&1 &");
        int init = JsonDocument.Parse(session.RunOk("inspect", "rl-top").Stdout).RootElement[0].GetProperty("State").GetProperty("Pid").GetInt32();

        MiniRunCli.Result top = session.Run("top", "rl-top");

        Assert.True(top.ExitCode == 0, top.ToString());
        string[] lines = top.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$", lines[0]);
        string[][] rows = [.. lines[1..].Select(l => l.Split(' ', 8, StringSplitOptions.RemoveEmptyEntries))];
        Assert.Equal(["sleep 1001", "sleep 1002", "sleep 1003"], rows.Select(r => r[7]).Order(StringComparer.Ordinal));
        Assert.Equal(init.ToString(), rows.Single(r => r[7] == "sleep 1002")[1]);
        foreach (string[] row in rows)
        {
            // The host's PIDs (this test reads the host's /proc), and the owner as the host names it: root inside is the user.
            Assert.Equal(row[7], File.ReadAllText($"/proc/{row[1]}/cmdline").TrimEnd('\0').Replace('\0', ' '));
            Assert.Equal(RootlessUsers.WithRange, row[0]);
        }
        Assert.Equal("", top.Stderr);
    }

    [RootFact]
    public void Stats_RootlessContainerWithoutCgroup_IsRefusedInOneLineNotZeros()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        session.RunOk("run", "-d", "--network", "none", "--name", "rl-stats", "minibox", "sleep", "300");

        MiniRunCli.Result named = session.Run("stats", "--no-stream", "rl-stats");
        MiniRunCli.Result running = session.Run("stats", "--no-stream");

        const string Refusal = "minirun: stats needs the container's own cgroup; rootless containers have none without a delegated cgroup v2 subtree (see minirun doctor)\n";
        Assert.Equal((1, "", Refusal), (named.ExitCode, named.Stdout, named.Stderr)); // 1: stats' status for its other errors (an unknown container), as Docker's
        Assert.Equal((1, "", Refusal), (running.ExitCode, running.Stdout, running.Stderr));
    }

    [RootFact]
    public void NetworkCreateAndConnect_Rootless_AreRefusedInOneLineAndWriteNothing()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        session.RunOk("create", "--network", "none", "--name", "rl-net", "minibox", "true");

        MiniRunCli.Result create = session.Run("network", "create", "rl-n1");
        MiniRunCli.Result connect = session.Run("network", "connect", "bridge", "rl-net");

        const string Why = "rootless containers cannot use bridge networks (they need root in the host's network namespace); use --network pasta (the rootless default), host or none\n";
        Assert.Equal((1, "minirun: network create: " + Why), (create.ExitCode, create.Stderr));
        Assert.Equal((1, "minirun: network connect: " + Why), (connect.ExitCode, connect.Stderr));
        Assert.DoesNotContain("rl-n1", session.RunOk("network", "ls").Stdout);
        Assert.False(File.Exists(Path.Combine(session.Store, "networks", "rl-n1.conflist")));
        Assert.Equal("none\n", session.RunOk("inspect", "-f", "{{.HostConfig.NetworkMode}}", "rl-net").Stdout);
    }

    [RootFact]
    public void NetworkRm_NetworkMadeBeforeTheRefusal_IsRemovedWithoutIptables()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        // A network an earlier minirun let the user make: written by root into the user's store, then given to the user.
        new MiniRunCli(session.Store).RunOk("network", "create", "rl-old");
        (int uid, int gid) = RootlessUsers.Ids(session.User);
        RootlessUsers.Run("chown", "-R", $"{uid}:{gid}", session.Store);

        MiniRunCli.Result rm = session.Run("network", "rm", "rl-old");

        Assert.Equal((0, "rl-old\n", ""), (rm.ExitCode, rm.Stdout, rm.Stderr)); // no iptables "you must be root"
        Assert.False(File.Exists(Path.Combine(session.Store, "networks", "rl-old.conflist")));
    }

    [RootFact]
    public void RuntimeVerbs_OrdinaryUser_AreRefusedInOneLineBeforeAnyState()
    {
        using var session = new RootlessSession();
        foreach (string verb in (string[])["create", "start", "state", "kill", "delete", "run", "exec", "ps", "pause", "resume", "update"])
        {
            MiniRunCli.Result result = session.Run("runtime", "--root", Path.Combine(session.Home, "runtime"), verb, "rl-oci");

            Assert.Equal((1, ""), (result.ExitCode, result.Stdout));
            Assert.Equal($"minirun: runtime: {verb} needs root: this OCI runtime has no rootless mode (no state under $XDG_RUNTIME_DIR, no user namespace of its own, " +
                         "no rootless cgroups); run it with sudo, or use `minirun run` for a rootless container\n", result.Stderr);
        }
        Assert.False(Directory.Exists(Path.Combine(session.Home, "runtime")));
        Assert.False(Directory.Exists("/run/minirun-runtime/rl-oci"));
    }

    [RootFact]
    public void RuntimeSpec_OrdinaryUser_WritesRootsDefaultSpec()
    {
        using var session = new RootlessSession();
        string bundle = Path.Combine(session.Home, "bundle");
        RootlessUsers.Run("runuser", "-u", session.User, "--", "mkdir", bundle);

        MiniRunCli.Result spec = session.Run("runtime", "spec", "--bundle", bundle);
        MiniRunCli.Result features = session.Run("runtime", "features");

        Assert.Equal((0, ""), (spec.ExitCode, spec.Stderr)); // was: the user's capabilities (none) refused Docker's defaults
        JsonElement bounding = JsonDocument.Parse(File.ReadAllText(Path.Combine(bundle, "config.json"))).RootElement
            .GetProperty("process").GetProperty("capabilities").GetProperty("bounding");
        Assert.Contains("CAP_CHOWN", bounding.EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(0, features.ExitCode);
    }

    [RootFact]
    public void Info_RootlessWithoutCgroups_SaysDriverNoneWhyAndRootless()
    {
        using var session = new RootlessSession();

        string info = session.RunOk("info").Stdout;
        string json = session.RunOk("info", "-f", "{{.CgroupDriver}} {{json .SecurityOptions}}").Stdout;

        Assert.Contains(" Cgroup Driver: none\n Cgroup Version: none (rootless containers have no cgroup of their own without a delegated cgroup v2 subtree, see minirun doctor)\n", info);
        Assert.DoesNotContain("no cgroup filesystem mounted", info); // this machine has cgroups: what it lacks is a delegated subtree
        Assert.Contains("\n  rootless\n", info);
        Assert.Equal("none [\"name=seccomp,profile=default\",\"name=rootless\"]\n", json);
    }

    [RootFact]
    public void GenerateSystemd_RootlessContainer_IsAUnitOfTheUsersServiceManager()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        session.RunOk("create", "--network", "none", "--name", "rl-unit", "minibox", "sleep", "300");

        string unit = session.RunOk("generate", "systemd", "rl-unit").Stdout;

        Assert.Contains("Install it as ~/.config/systemd/user/container-rl-unit.service, then:\n", unit);
        Assert.Contains("#   systemctl --user daemon-reload && systemctl --user enable --now container-rl-unit.service\n", unit);
        Assert.Contains("# and, for it to start at boot without a login: loginctl enable-linger $USER\n", unit);
        Assert.DoesNotContain("/etc/systemd/system", unit);
    }

    [RootFact]
    public void Mount_Rootless_MergedPathIsTheOverlayAsTheUserSeesItFromTheHost()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        session.RunOk("create", "--network", "none", "--name", "rl-mount", "minibox", "true");

        string[] lines = session.RunOk("mount", "rl-mount").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string merged = lines.Single(l => l.StartsWith("merged ", StringComparison.Ordinal))["merged".Length..].Trim();
        string seen = RootlessUsers.Run("runuser", "-u", session.User, "--", "cat", Path.Combine(merged, "etc", "os-release"));
        session.RunOk("umount", "rl-mount");

        string id = session.RunOk("inspect", "-f", "{{.Id}}", "rl-mount").Stdout.Trim();
        Assert.Equal($"/proc/{session.PausePid}/root{Path.Combine(session.Store, "containers", id, "merged")}", merged);
        Assert.Contains("NAME=minibox\n", seen);
    }

    [RootFact]
    public void Run_UlimitAboveTheUsersHardLimit_IsRefusedInOneLine()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        string own = RootlessUsers.Run("runuser", "-u", session.User, "--", "sh", "-c", "ulimit -Hn").Trim(); // runuser's, as the session's
        string above = (long.Parse(own) + 1).ToString();

        MiniRunCli.Result refused = session.Run("run", "--rm", "--network", "none", "--ulimit", $"nofile={above}", "minibox", "true");
        MiniRunCli.Result within = session.Run("run", "--rm", "--network", "none", "--ulimit", $"nofile={own}", "minibox", "sh", "-c", "ulimit -Hn");

        Assert.Equal((125, $"minirun: --ulimit nofile={above}:{above}: the hard limit is above your own ({own}), which a rootless container cannot raise " +
                           $"(that needs CAP_SYS_RESOURCE on the host); use at most {own}, or run as root\n"), (refused.ExitCode, refused.Stderr));
        Assert.Equal((0, own + "\n"), (within.ExitCode, within.Stdout)); // was: "setrlimit resource 7: EPERM" from inside
        Assert.Equal("", session.RunOk("ps", "-aq").Stdout);
    }
}
