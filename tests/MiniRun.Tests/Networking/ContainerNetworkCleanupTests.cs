using System.Text.RegularExpressions;

namespace MiniRun.Tests.Networking;

/// <summary>
/// Nothing of a bridged container is left once it is gone, however it went: `rm -f` while it runs, `system prune`
/// after it exited (its unused network with it), and a foreground `run` killed with SIGKILL, then `system check
/// --repair` or `rm -f`. Each compares the sandbox with what it was after a first container came and went.
/// </summary>
public sealed class ContainerNetworkCleanupTests
{
    /// <summary>The store's first bridged container, run and removed: the bridge and the plugins' base chains stay, as docker0 does.</summary>
    private static SandboxLeftovers Baseline(NetworkSandbox sandbox)
    {
        sandbox.LoadMinibox();
        sandbox.MiniRunOk("run", "--rm", "--network", "bridge", "-p", "127.0.0.1:8079:80", "minibox", "true");
        return SandboxLeftovers.Take(sandbox);
    }

    private static string AddressOf(NetworkSandbox sandbox, string container) =>
        Regex.Match(sandbox.MiniRunOk("exec", container, "ip", "-4", "-o", "addr", "show", "dev", "eth0").Stdout, @"inet (\S+)/").Groups[1].Value;

    /// <summary>While the container runs, each kind of leftover the test looks for is there: the comparison means something.</summary>
    private static void AssertAttached(NetworkSandbox sandbox, SandboxLeftovers baseline, string address)
    {
        SandboxLeftovers running = SandboxLeftovers.Take(sandbox);
        Assert.Contains(running.Links.Except(baseline.Links), l => l.StartsWith("veth", StringComparison.Ordinal));
        Assert.True(running.Mentions(address), $"no rule or record names {address}");
        Assert.Contains(running.Rules.Except(baseline.Rules), r => r.Contains(address));
        Assert.NotEmpty(running.Results.Except(baseline.Results));
        Assert.Contains(running.Mounts.Except(baseline.Mounts), m => m.StartsWith("nsfs ", StringComparison.Ordinal) && m.EndsWith("/netns", StringComparison.Ordinal));
    }

    [RootFact]
    public void RmForce_RunningBridgedContainer_LeavesNothingOfIt()
    {
        using var sandbox = new NetworkSandbox();
        SandboxLeftovers baseline = Baseline(sandbox);
        try
        {
            sandbox.MiniRunOk("run", "-d", "--name", "victim", "--network", "bridge", "-p", "8090:80", "minibox", "sleep", "300");
            string address = AddressOf(sandbox, "victim");
            AssertAttached(sandbox, baseline, address);

            sandbox.MiniRunOk("rm", "-f", "victim");

            SandboxLeftovers after = SandboxLeftovers.Take(sandbox);
            after.AssertSameAs(baseline);
            Assert.False(after.Mentions(address));
        }
        finally
        {
            sandbox.MiniRun("rm", "-f", "victim");
        }
    }

    [RootFact]
    public void SystemPrune_ExitedContainerAndUnusedNetwork_RemovesBothAndLeavesNothing()
    {
        using var sandbox = new NetworkSandbox();
        SandboxLeftovers baseline = Baseline(sandbox);
        try
        {
            sandbox.MiniRunOk("network", "create", "prunenet");
            sandbox.MiniRunOk("network", "create", "usednet");
            sandbox.MiniRunOk("run", "-d", "--name", "stays", "--network", "usednet", "minibox", "sleep", "300");
            string address = Regex.Match(sandbox.MiniRunOk("run", "--name", "gone", "--network", "prunenet", "minibox", "ip", "-4", "-o", "addr", "show", "dev", "eth0").Stdout,
                @"inet (\S+)/").Groups[1].Value;
            Assert.NotEqual("", address);
            string id = sandbox.MiniRunOk("ps", "-aq", "--no-trunc", "--filter", "name=gone").Stdout.Trim();
            Assert.NotEqual("", SandboxLeftovers.Take(sandbox).DifferenceFrom(baseline)); // prunenet's bridge, usednet's, stays' attachment
            Assert.Equal(["filter FORWARD -i", "filter FORWARD -o", "nat POSTROUTING -s"], RulesOf(SandboxLeftovers.Take(sandbox), "prunenet"));

            MiniRunCli.Result pruned = sandbox.MiniRunOk("system", "prune", "-f");

            Assert.Contains($"Deleted Containers:\n{id}\n\nDeleted Networks:\nprunenet\n\n", pruned.Stdout);
            Assert.Equal(1, sandbox.MiniRun("network", "inspect", "prunenet").ExitCode);
            Assert.Equal(0, sandbox.MiniRun("network", "inspect", "usednet").ExitCode); // a running container is attached
            Assert.Equal(0, sandbox.MiniRun("network", "inspect", "bridge").ExitCode);
            sandbox.MiniRunOk("rm", "-f", "stays");
            sandbox.MiniRunOk("network", "rm", "usednet");
            SandboxLeftovers after = SandboxLeftovers.Take(sandbox);
            after.AssertSameAs(baseline);
            Assert.False(after.Mentions(address));
        }
        finally
        {
            sandbox.MiniRun("rm", "-f", "gone", "stays");
        }
    }

    /// <summary>The network's own rules in <paramref name="leftovers"/>: "TABLE CHAIN" and the first match of each, sorted.</summary>
    private static string[] RulesOf(SandboxLeftovers leftovers, string network) =>
        leftovers.Rules.Where(r => r.Contains($"--comment \"minirun network {network}\"", StringComparison.Ordinal))
            .Select(r => string.Join(' ', r.Split(' ').Where(w => w != "-A").Take(3))).Order(StringComparer.Ordinal).ToArray();

    [RootFact]
    public void NetworkRm_ItsRulesTwice_RemovesEveryCopy_AndABridgeMadeAgainDoesNotCopyThem()
    {
        using var sandbox = new NetworkSandbox();
        SandboxLeftovers baseline = Baseline(sandbox);
        string[] rules = ["filter FORWARD -i", "filter FORWARD -o", "nat POSTROUTING -s"];
        try
        {
            string bridge = "mr-" + sandbox.MiniRunOk("network", "create", "twice").Stdout.Trim()[..12];
            sandbox.MiniRunOk("run", "--rm", "--network", "twice", "minibox", "true");
            Assert.Equal(rules, RulesOf(SandboxLeftovers.Take(sandbox), "twice"));
            // The bridge gone by hand: the next container makes it again, and finds the rules there.
            MiniRunCli.Result deleted = NetworkSandbox.InNetns(sandbox.Pid, "ip", "link", "del", bridge);
            Assert.True(deleted.ExitCode == 0, deleted.ToString());
            sandbox.MiniRunOk("run", "--rm", "--network", "twice", "minibox", "true");
            Assert.Equal(rules, RulesOf(SandboxLeftovers.Take(sandbox), "twice"));
            // A copy of each FORWARD rule (a second ruleset's worth, as an interrupted make could leave): all go with the network.
            foreach (string spec in new[] { $"-i {bridge}", $"-o {bridge} -m conntrack --ctstate RELATED,ESTABLISHED,DNAT" })
            {
                MiniRunCli.Result copied = NetworkSandbox.InNetns(sandbox.Pid, ["iptables", "-w", "-t", "filter", "-A", "FORWARD", .. spec.Split(' '),
                    "-m", "comment", "--comment", "minirun network twice", "-j", "ACCEPT"]);
                Assert.True(copied.ExitCode == 0, copied.ToString());
            }
            Assert.Equal(5, NetworkSandbox.InNetns(sandbox.Pid, "iptables-save").Stdout.Split('\n').Count(l => l.Contains("\"minirun network twice\"", StringComparison.Ordinal)));

            sandbox.MiniRunOk("network", "rm", "twice");

            Assert.DoesNotContain("minirun network twice", NetworkSandbox.InNetns(sandbox.Pid, "iptables-save").Stdout);
            SandboxLeftovers.Take(sandbox).AssertSameAs(baseline);
        }
        finally
        {
            sandbox.MiniRun("network", "rm", "twice");
        }
    }

    [RootFact]
    public void RmForce_DonorWhileAJoinerRuns_ItsVethAndAddressGo_TheJoinerKeepsLoOnly()
    {
        using var sandbox = new NetworkSandbox();
        SandboxLeftovers baseline = Baseline(sandbox);
        try
        {
            sandbox.MiniRunOk("run", "-d", "--name", "donor", "--network", "bridge", "minibox", "sleep", "300");
            sandbox.MiniRunOk("run", "-d", "--name", "joiner", "--network", "container:donor", "minibox", "sleep", "300");
            string address = AddressOf(sandbox, "donor");
            Assert.Equal(address, AddressOf(sandbox, "joiner"));

            // The joiner holds the namespace: the kernel would not remove the veth with it, so the DEL must, from inside.
            sandbox.MiniRunOk("rm", "-f", "donor");

            SandboxLeftovers after = SandboxLeftovers.Take(sandbox);
            string joiner = sandbox.MiniRunOk("ps", "-q", "--no-trunc", "--filter", "name=joiner").Stdout.Trim();
            Assert.Equal($"left: mount overlay {sandbox.StoreRoot}/containers/{joiner}/merged", after.DifferenceFrom(baseline)); // the joiner's own root, nothing else
            Assert.False(after.Mentions(address));
            Assert.Equal("lo\n", sandbox.MiniRunOk("exec", "joiner", "ls", "/sys/class/net").Stdout);
            sandbox.MiniRunOk("rm", "-f", "joiner");
            SandboxLeftovers.Take(sandbox).AssertSameAs(baseline);
        }
        finally
        {
            sandbox.MiniRun("rm", "-f", "joiner", "donor");
        }
    }

    [RootFact]
    public void SystemCheckRepair_RunningBridgedContainer_NoFinding_ItsNetworkStays()
    {
        using var sandbox = new NetworkSandbox();
        SandboxLeftovers baseline = Baseline(sandbox);
        try
        {
            // A published port: its DNAT rules name the container's address (the network's own rules do not).
            sandbox.MiniRunOk("run", "-d", "--name", "alive", "--network", "bridge", "-p", "8092:80", "minibox", "sleep", "300");
            string address = AddressOf(sandbox, "alive");

            MiniRunCli.Result check = sandbox.MiniRun("system", "check");
            Assert.True(check.ExitCode == 0, check.ToString());
            MiniRunCli.Result repair = sandbox.MiniRun("system", "check", "--repair");
            Assert.True(repair.ExitCode == 0, repair.ToString());

            AssertAttached(sandbox, baseline, address); // its netns mount too: --network container: and the DEL need it
            MiniRunCli.Result ping = NetworkSandbox.InNetns(sandbox.Pid, "/bin/busybox", "ping", "-c1", "-W2", address);
            Assert.True(ping.ExitCode == 0, ping.ToString());
            sandbox.MiniRunOk("rm", "-f", "alive");
            SandboxLeftovers.Take(sandbox).AssertSameAs(baseline);
        }
        finally
        {
            sandbox.MiniRun("rm", "-f", "alive");
        }
    }

    [RootFact]
    public void Run_ForegroundRunnerKilled_SystemCheckRepair_LeavesNothingOfIt() => RunnerKilled(repair: true);

    [RootFact]
    public void Run_ForegroundRunnerKilled_RmForce_LeavesNothingOfIt() => RunnerKilled(repair: false);

    private static void RunnerKilled(bool repair)
    {
        using var sandbox = new NetworkSandbox();
        SandboxLeftovers baseline = Baseline(sandbox);
        try
        {
            // On the default network: no --network, $MINIRUN_NETWORK empty.
            using System.Diagnostics.Process runner = sandbox.StartMiniRun("", "run", "--name", "fg", "-p", "8091:80", "minibox", "sleep", "300");
            MiniRunCli.Result up = ContainerNetworkTests.Eventually(() => sandbox.MiniRun("exec", "fg", "true"));
            Assert.True(up.ExitCode == 0, up.ToString());
            string address = AddressOf(sandbox, "fg");
            AssertAttached(sandbox, baseline, address);

            runner.Kill(); // SIGKILL: no teardown of its own
            runner.WaitForExit();

            if (repair)
            {
                MiniRunCli.Result repaired = sandbox.MiniRun("system", "check", "--repair");
                Assert.True(repaired.ExitCode == 0, repaired.ToString());
                Assert.Contains("repaired: container fg: its minirun was killed while it ran", repaired.Stdout);
                Assert.Equal(0, sandbox.MiniRun("system", "check").ExitCode);
            }
            else sandbox.MiniRunOk("rm", "-f", "fg");

            SandboxLeftovers after = SandboxLeftovers.Take(sandbox);
            after.AssertSameAs(baseline);
            Assert.False(after.Mentions(address));
        }
        finally
        {
            sandbox.MiniRun("rm", "-f", "fg");
        }
    }

    [RootFact]
    public void SystemCheckRepair_AttachmentOfAContainerThatIsGone_IsReleased()
    {
        using var sandbox = new NetworkSandbox();
        SandboxLeftovers baseline = Baseline(sandbox);
        // A kept ADD result whose container is not in the store (its directory removed by hand, or a DEL that failed).
        const string id = "0123456789ab0123456789ab0123456789ab0123456789ab0123456789abcdef";
        int holder = sandbox.StartContainer();
        MiniRunCli.Result attached = sandbox.MiniRun("network", "attach-netns", "bridge", NetworkSandbox.NetnsOf(holder), id);
        Assert.True(attached.ExitCode == 0, attached.ToString());
        string address = Regex.Match(attached.Stdout, @"""address"":""([0-9.]+)/").Groups[1].Value;
        Assert.True(SandboxLeftovers.Take(sandbox).Mentions(address), $"no rule or record names {address}");

        MiniRunCli.Result check = sandbox.MiniRun("system", "check");
        Assert.Contains("container 0123456789ab (removed): its network attachment was not released (kept CNI results)", check.Stdout);
        MiniRunCli.Result repaired = sandbox.MiniRun("system", "check", "--repair");
        Assert.True(repaired.ExitCode == 0, repaired.ToString());
        Assert.Equal(0, sandbox.MiniRun("system", "check").ExitCode);

        SandboxLeftovers after = SandboxLeftovers.Take(sandbox);
        Assert.False(after.Mentions(address));
        Assert.Equal(baseline.Results, after.Results);
        Assert.Equal(baseline.Rules, after.Rules);
    }
}
