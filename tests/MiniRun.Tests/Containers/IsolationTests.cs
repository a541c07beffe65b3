using System.Diagnostics;
using System.Text.Json;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Containers;

/// <summary>
/// Issue 3's "Done when", checked from inside real containers: namespaces, masked and read-only paths, /dev,
/// capabilities, users, cgroup limits (the machine's default cgroup version) and cleanup.
/// </summary>
public class IsolationTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    private MiniRunCli.Result Run(params string[] args) => Cli.Run(["run", "--rm", .. args]);

    private string Sh(params string[] argsThenScript)
    {
        MiniRunCli.Result result = Run([.. argsThenScript[..^1], fixture.Image, "sh", "-c", argsThenScript[^1]]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout;
    }

    private static string Status(string status, string key) =>
        status.Split('\n').Single(l => l.StartsWith(key + ":", StringComparison.Ordinal)).Split('\t', 2)[1].Trim();

    [RootFact]
    public void Run_Ps_ShowsOnlyTheContainersProcesses()
    {
        string[] lines = Sh("ps -o pid,comm; true").Trim().Split('\n');

        Assert.Equal(["PID COMMAND", "1 sh"], lines[..2].Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
        Assert.Equal(3, lines.Length); // the header, sh and ps itself
        Assert.EndsWith("ps", lines[2]);
    }

    [RootFact]
    public void Run_Mount_FailsWithoutCapSysAdmin()
    {
        var result = Run(fixture.Image, "mount", "-t", "tmpfs", "tmpfs", "/mnt");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("permission denied", result.Stderr);
    }

    [RootFact]
    public void Run_ProcKcore_CannotBeRead()
    {
        Assert.Equal("refused\n", Sh("cat /proc/kcore > /dev/null 2>&1 && echo read || echo refused"));
    }

    [RootFact]
    public void Run_MaskedPaths_ShowNothing()
    {
        // Each of Docker's masked paths the kernel has: a file reads empty (/dev/null), a directory lists empty (tmpfs).
        var present = ContainerMounts.MaskedPaths.Where(p => File.Exists(p) || Directory.Exists(p)).ToList();
        Assert.NotEmpty(present);
        string script = string.Join("; ", present.Select(p => Directory.Exists(p)
            ? $"echo {p} $(ls -A {p} | wc -l)"
            : $"echo {p} $(wc -c < {p})"));

        Assert.Equal(string.Concat(present.Select(p => $"{p} 0\n")), Sh(script));
    }

    [RootFact]
    public void Run_ProcSysAndSys_AreNotWritable()
    {
        string output = Sh("echo x > /proc/sys/kernel/domainname; echo $?; echo x > /sys/kernel/uevent_helper; echo $?; " +
                           "grep -E ' /proc/(sys|bus|fs|irq) ' /proc/self/mountinfo | cut -d' ' -f5,6");

        string[] lines = output.Trim().Split('\n');
        Assert.NotEqual("0", lines[0]);
        Assert.NotEqual("0", lines[1]);
        foreach (string mount in lines[2..]) Assert.StartsWith("ro,", mount.Split(' ')[1]);
        Assert.Contains(lines[2..], l => l.StartsWith("/proc/sys ", StringComparison.Ordinal));
    }

    [RootFact]
    public void Run_Dev_HasOnlyTheStandardNodesAndTheyWork()
    {
        string expected = "core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero";
        if (!File.Exists("/proc/kcore")) expected = expected.Replace("core ", "");

        string output = Sh("echo $(ls /dev); echo hi > /dev/null && echo null-ok; head -c 5 /dev/zero | wc -c; " +
                           "head -c 7 /dev/urandom | wc -c; head -c 3 /dev/random | wc -c; echo x > /dev/full || echo full-refused; " +
                           "stat -c '%t:%T %a' /dev/null /dev/tty");

        Assert.Equal($"{expected}\nnull-ok\n5\n7\n3\nfull-refused\n1:3 666\n5:0 666\n", output);
    }

    [RootFact]
    public void Run_DevicesCgroup_RefusesANodeOutsideTheAllowList()
    {
        ICgroupManager? cgroups = CgroupDetector.Detect();
        if (cgroups is not { Version: "v1" } || !cgroups.Controllers.Contains("devices")) return; // v2 has no devices files (BPF)

        // mknod is allowed ("b *:* m", as in Docker), opening the disk is not.
        string output = Sh("mknod /tmp/disk b 8 0 && echo made; cat /tmp/disk > /dev/null 2>&1 && echo opened || echo refused");

        Assert.Equal("made\nrefused\n", output);
    }

    [RootFact]
    public void Run_Root_HasDockersDefaultCapabilities()
    {
        string status = Sh("cat /proc/self/status");

        Assert.Equal("00000000a80425fb", Status(status, "CapEff"));
        Assert.Equal("00000000a80425fb", Status(status, "CapPrm"));
        Assert.Equal("00000000a80425fb", Status(status, "CapBnd"));
        Assert.Equal("0000000000000000", Status(status, "CapInh"));
        Assert.Equal("0000000000000000", Status(status, "CapAmb"));
        Assert.Equal("0", Status(status, "NoNewPrivs"));
    }

    [RootFact]
    public void Run_UserNobody_IsUid65534WithNoCapabilities()
    {
        string output = Sh("-u", "nobody", "id -u; id -g; grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status | cut -f2");

        Assert.Equal("65534\n65534\n0000000000000000\n0000000000000000\n00000000a80425fb\n", output);
    }

    [RootFact]
    public void Run_CapDropAllCapAddNetAdmin_HasOnlyNetAdmin()
    {
        Assert.Equal("0000000000001000\n", Sh("--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "grep CapEff /proc/self/status | cut -f2"));
    }

    [RootFact]
    public void Run_CapDropChown_ChownFails()
    {
        var result = Run("--cap-drop", "chown", fixture.Image, "sh", "-c", "touch /tmp/f && chown 1000 /tmp/f");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("not permitted", result.Stderr);
    }

    [RootFact]
    public void Run_Privileged_HasEveryCapabilityWritableSysAndNoMasks()
    {
        // Every capability the runtime holds (a confined host may hold fewer than the kernel knows).
        string expected = (Capabilities.All(Capabilities.LastCapability()) & Capabilities.Held()).ToString("x16");

        string output = Sh("--privileged", "grep CapEff /proc/self/status | cut -f2; grep ' /sys ' /proc/self/mountinfo | cut -d' ' -f6 | cut -c1-2; " +
                                            "grep -c -E ' /proc/(keys|sys|timer_list) ' /proc/self/mountinfo; ls /dev | wc -l");

        string[] lines = output.Trim().Split('\n');
        Assert.Equal(expected, lines[0]);
        Assert.Equal("rw", lines[1]);
        Assert.Equal("0", lines[2]);
        Assert.True(int.Parse(lines[3]) > 15, "privileged /dev should hold the host's devices: " + output);
    }

    [RootFact]
    public void Run_ReadOnly_RootCannotBeWrittenButDevShmCan()
    {
        Assert.Equal("refused\nshm-ok\n", Sh("--read-only", "touch /x 2>/dev/null && echo wrote || echo refused; touch /dev/shm/x && echo shm-ok"));
    }

    [RootFact]
    public void Run_NoNewPrivileges_IsSetForTheCommand()
    {
        Assert.Equal("1\n", Sh("--security-opt", "no-new-privileges", "grep NoNewPrivs /proc/self/status | cut -f2"));
    }

    [RootFact]
    public void Run_Memory32m_KillsAn80MBAllocationWith137()
    {
        string name = "oom-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var result = Cli.Run("run", "--name", name, "--memory", "32m", fixture.Image, "dd", "if=/dev/zero", "of=/dev/null", "bs=80M", "count=1");

            Assert.True(result.ExitCode == 137, result.ToString());
            using JsonDocument inspect = JsonDocument.Parse(Cli.Run("inspect", name).Stdout);
            Assert.True(inspect.RootElement[0].GetProperty("State").GetProperty("OOMKilled").GetBoolean());
            Assert.Equal(32 << 20, inspect.RootElement[0].GetProperty("HostConfig").GetProperty("Memory").GetInt64());
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void Run_Memory64m_Allows8MB()
    {
        var result = Run("--memory", "64m", fixture.Image, "dd", "if=/dev/zero", "of=/dev/null", "bs=8M", "count=1");

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [RootFact]
    public void Run_PidsLimit12_HoldsAForkStormToTwelve()
    {
        // A subshell forks sleeps until fork fails (busybox sh then exits); the outer shell counts with builtins only.
        string output = Sh("--pids-limit", "12", "(while true; do sleep 5 & done) 2>/dev/null; n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; echo $n");

        int count = int.Parse(output.Trim());
        Assert.InRange(count, 10, 12); // the storm did reach the limit, and never passed it
    }

    [RootFact]
    public void Run_Limits_AreWrittenToTheContainersCgroup()
    {
        ICgroupManager cgroups = CgroupDetector.Detect()!;
        string name = "limits-" + Guid.NewGuid().ToString("N")[..8];
        using Process process = Start("-i", "--name", name, "--memory", "48m", "--pids-limit", "20", "--cpus", "0.5", "--cpu-shares", "512",
            fixture.Image, "sh", "-c", "echo ready; read line");
        try
        {
            Assert.Equal("ready", process.StandardOutput.ReadLine());
            using JsonDocument inspect = JsonDocument.Parse(Cli.Run("inspect", name).Stdout);
            string id = inspect.RootElement[0].GetProperty("Id").GetString()!;
            var values = cgroups.Directories(CgroupNames.For(id))
                .SelectMany(d => Directory.EnumerateFiles(d))
                .Where(f => Path.GetFileName(f) is "memory.limit_in_bytes" or "memory.max" or "pids.max" or "cpu.cfs_quota_us" or "cpu.max" or "cpu.shares" or "cpu.weight")
                .ToDictionary(f => Path.GetFileName(f), f => File.ReadAllText(f).Trim());
            if (cgroups.Version == "v1")
                Assert.Equal(new Dictionary<string, string> { ["memory.limit_in_bytes"] = "50331648", ["pids.max"] = "20", ["cpu.cfs_quota_us"] = "50000", ["cpu.shares"] = "512" }, values);
            else
                Assert.Equal(new Dictionary<string, string> { ["memory.max"] = "50331648", ["pids.max"] = "20", ["cpu.max"] = "50000 100000", ["cpu.weight"] = "20" }, values);
        }
        finally
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30))) process.Kill(entireProcessTree: true);
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void Run_Rm_LeavesNoCgroupBehind()
    {
        // Inside its own cgroup namespace the container sees "/": its host name is the ID's first 12 digits.
        ICgroupManager cgroups = CgroupDetector.Detect()!;
        string prefix = Sh("--memory", "32m", "--pids-limit", "50", "hostname").Trim();

        Assert.Matches("^[0-9a-f]{12}$", prefix);
        Assert.All(cgroups.Directories(CgroupNames.Parent), parent => Assert.Empty(Directory.Exists(parent) ? Directory.GetDirectories(parent, prefix + "*") : []));
    }

    [RootFact]
    public void Run_CgroupMembership_StartsBeforeTheCommand()
    {
        // The command's very first instruction is at the root of its own cgroup namespace, in every hierarchy, and
        // that root is the container's group as the host sees it.
        ICgroupManager cgroups = CgroupDetector.Detect()!;
        string name = "member-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var run = Cli.Run("run", "-d", "--name", name, fixture.Image, "sh", "-c", "cat /proc/1/cgroup > /first; sleep 60");
            Assert.True(run.ExitCode == 0, run.ToString());
            using JsonDocument inspect = JsonDocument.Parse(Cli.Run("inspect", name).Stdout);
            string id = inspect.RootElement[0].GetProperty("Id").GetString()!;
            int pid = inspect.RootElement[0].GetProperty("State").GetProperty("Pid").GetInt32();
            string first = "";
            for (int i = 0; i < 100 && first.Length == 0; i++, Thread.Sleep(20)) first = Cli.Run("exec", name, "cat", "/first").Stdout;

            Assert.All(first.Trim().Split('\n'), l => Assert.EndsWith(":/", l));
            var host = File.ReadAllLines($"/proc/{pid}/cgroup")
                .Where(l => cgroups.Version == "v2" ? l.StartsWith("0::", StringComparison.Ordinal) : !l.StartsWith("0::", StringComparison.Ordinal) || CgroupDetector.ReadLayout().HasV2);
            Assert.All(host, l => Assert.Contains(":/" + CgroupNames.For(id), l));
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void Exec_InARunningContainer_GetsItsCapabilitiesNoNewPrivsAndCgroup()
    {
        string name = "exec-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var run = Cli.Run("run", "-d", "--name", name, "--cap-drop", "ALL", "--cap-add", "KILL", "--security-opt", "no-new-privileges",
                "--pids-limit", "30", fixture.Image, "sleep", "60");
            Assert.True(run.ExitCode == 0, run.ToString());

            // In the container's pids group (the root of its /sys/fs/cgroup/pids), and in its cgroup namespace.
            string procs = CgroupDetector.Detect()!.Version == "v2" ? "/sys/fs/cgroup/cgroup.procs" : "/sys/fs/cgroup/pids/cgroup.procs";
            var exec = Cli.Run("exec", name, "sh", "-c",
                $"grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status | cut -f2; grep -cx $$ {procs}; grep -cv ':/$' /proc/self/cgroup");

            string[] lines = exec.Stdout.Trim().Split('\n');
            Assert.Equal(["0000000000000020", "0000000000000020", "1", "1", "0"], lines);
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void Run_UnknownCapability_Exits125WithOneLine()
    {
        var result = Run("--cap-add", "NET_WIZARD", fixture.Image, "true");

        Assert.Equal(125, result.ExitCode);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [RootFact]
    public void Doctor_AsRoot_PassesWithOneLinePerCheck()
    {
        var result = Cli.Run("doctor");

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] names = result.Stdout.Trim().Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).ToArray();
        Assert.Equal(["root", "overlayfs", "d_type", "storage", "store", "namespaces", "cgroups", "limits", "swap", "devices", "delegation"], names);
    }

    private Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo(MiniRunCli.BinaryPath) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "--root", Cli.StoreRoot, "run" }.Concat(args)) psi.ArgumentList.Add(arg);
        return Process.Start(psi)!;
    }
}
