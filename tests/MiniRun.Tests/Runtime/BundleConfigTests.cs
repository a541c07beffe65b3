using System.Text.Json;
using System.Text.Json.Nodes;
using MiniRun.Fixtures;

namespace MiniRun.Tests.Runtime;

/// <summary>
/// The fields of config.json the OCI runtime-tools suite checks from inside the container, each on a bundle made
/// here and run through create/start as an engine does.
/// </summary>
public sealed class BundleConfigTests
{
    [RootFact]
    public void OldSeccompProfile_WithoutCloseRange_StillRunsTheProcess()
    {
        // As runtime-tools' default config: errno by default, syscalls up to landlock named, close_range and clone3 not.
        using var bundle = new RuntimeBundle("echo ran under the filter", json =>
        {
            JsonArray names = ["read", "write", "close", "exit", "exit_group", "execve", "brk", "mmap", "munmap", "mprotect", "arch_prctl",
                "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "prctl", "capset", "capget", "setgroups", "setresuid", "setresgid",
                "getpid", "getppid", "getuid", "geteuid", "getgid", "getegid", "ioctl", "fcntl", "open", "openat", "stat", "fstat",
                "newfstatat", "lstat", "access", "poll", "ppoll", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "getcwd",
                "wait4", "dup2", "pipe", "uname", "statx", "landlock_restrict_self", "futex", "getrandom", "readlink"];
            json["linux"]!["seccomp"] = new JsonObject
            {
                ["defaultAction"] = "SCMP_ACT_ERRNO",
                ["architectures"] = new JsonArray("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
                ["syscalls"] = new JsonArray(new JsonObject { ["names"] = names, ["action"] = "SCMP_ACT_ALLOW" }),
            };
        });

        Assert.Contains("ran under the filter", bundle.RunToCompletion("oldfilter"));
    }

    [RootFact]
    public void Devices_CharBlockAndFifo_AreMadeWithTheirModeAndOwner()
    {
        using var bundle = new RuntimeBundle("stat -c '%n %F %a %u:%g %t:%T' /dev/tchar /dev/tblock /dev/tfifo", json =>
            json["linux"]!["devices"] = new JsonArray(
                Device("/dev/tchar", "c", 10, 666, uid: 7, gid: 8),
                Device("/dev/tblock", "b", 8, 666, uid: 0, gid: 9),
                Device("/dev/tfifo", "p", 0, 0, uid: 5, gid: 5)));

        string output = bundle.RunToCompletion("devices");

        Assert.Contains("/dev/tchar character special file 660 7:8 a:29a", output);
        Assert.Contains("/dev/tblock block special file 660 0:9 8:29a", output);
        Assert.Contains("/dev/tfifo fifo 660 5:5", output);
    }

    [RootFact]
    public void UserNamespace_RootInsideIsAnOrdinaryUserOfTheHost()
    {
        // A host file only root may read, bound in: root of the container, mapped to 100000, must not read it.
        using var secret = new TempDirectory("minirun-userns-secret");
        string file = secret.Combine("secret");
        File.WriteAllText(file, "host secret\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var bundle = new RuntimeBundle(
            "cat /proc/self/uid_map /proc/self/gid_map; echo uid=$(id -u); cat /secret || echo secret-denied; " +
            "echo x > /dev/null && echo null-writable; echo pids.max=$(cat /sys/fs/cgroup/pids/pids.max); ls /sys/class/net", json =>
        {
            InUserNamespace(json);
            json["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/secret", ["type"] = "bind", ["source"] = file, ["options"] = new JsonArray("rbind", "ro") });
        });
        // Its root owns nothing of the root filesystem (the host's root does): the mount point exists beforehand, as an
        // engine that maps IDs gives a root filesystem it has chowned.
        File.WriteAllText(System.IO.Path.Combine(bundle.Path, "rootfs/secret"), "");

        string output = bundle.RunToCompletion("userns");

        Assert.Matches(@"(?m)^\s*0\s+100000\s+65536\s*$", output); // uid_map
        Assert.Matches(@"(?m)^\s*0\s+200000\s+65536\s*$", output); // gid_map
        Assert.Contains("uid=0", output);
        Assert.Contains("secret-denied", output);
        Assert.DoesNotContain("host secret", output);
        Assert.Contains("null-writable", output); // the host's /dev/null, bound: no node can be made there
        Assert.Contains("pids.max=7", output); // moved into its cgroup by its parent, before its cgroup namespace was made
        Assert.Contains("lo", output); // no network namespace of its own: the host's /sys, bound (a new sysfs is refused)
    }

    [RootFact]
    public void UserNamespace_ExecJoinsItAndTheContainersCgroup()
    {
        using var bundle = new RuntimeBundle("sleep 60", InUserNamespace);
        Assert.Equal(0, bundle.Create("usernsexec").ExitCode);
        Assert.Equal(0, bundle.Runtime("start", "usernsexec").ExitCode);

        ExternalCommand.Result exec = bundle.Runtime("exec", "usernsexec", "sh", "-c", "cat /proc/self/uid_map; echo pids.max=$(cat /sys/fs/cgroup/pids/pids.max)");

        Assert.Equal(0, exec.ExitCode);
        Assert.Matches(@"(?m)^\s*0\s+100000\s+65536\s*$", exec.Stdout);
        Assert.Contains("pids.max=7", exec.Stdout);
    }

    /// <summary>A user namespace whose root is 100000 (groups: 200000) on the host, and a pids limit to see the cgroup by.</summary>
    private static void InUserNamespace(JsonNode json)
    {
        json["linux"]!["namespaces"]!.AsArray().Add(new JsonObject { ["type"] = "user" });
        json["linux"]!["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
        json["linux"]!["gidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 200000, ["size"] = 65536 });
        json["linux"]!["resources"] = new JsonObject { ["pids"] = new JsonObject { ["limit"] = 7 } };
    }

    private static JsonObject Device(string path, string type, int major, int minor, uint uid, uint gid) => new()
    {
        ["path"] = path, ["type"] = type, ["major"] = major, ["minor"] = minor, ["fileMode"] = 432, ["uid"] = uid, ["gid"] = gid,
    };

    [RootFact]
    public void Sysctl_OfTheContainersNetworkNamespace_IsSetThereAndNotOnTheHost()
    {
        string host = File.ReadAllText("/proc/sys/net/ipv4/ip_default_ttl").Trim();
        using var bundle = new RuntimeBundle("echo ttl=$(cat /proc/sys/net/ipv4/ip_default_ttl)", json =>
        {
            json["linux"]!["sysctl"] = new JsonObject { ["net.ipv4.ip_default_ttl"] = "42" };
            JsonArray namespaces = json["linux"]!["namespaces"]!.AsArray();
            if (!namespaces.Any(n => (string?)n!["type"] == "network")) namespaces.Add(new JsonObject { ["type"] = "network" });
        });

        Assert.Contains("ttl=42", bundle.RunToCompletion("sysctl"));
        Assert.Equal(host, File.ReadAllText("/proc/sys/net/ipv4/ip_default_ttl").Trim());
    }

    [RootFact]
    public void Sysctl_OfTheHostOnly_IsRefusedByName()
    {
        using var bundle = new RuntimeBundle("true", json => json["linux"]!["sysctl"] = new JsonObject { ["kernel.panic"] = "1" });

        ExternalCommand.Result create = bundle.Create("hostsysctl");

        Assert.NotEqual(0, create.ExitCode);
        Assert.Contains("linux.sysctl (kernel.panic)", bundle.Output);
    }

    [RootFact]
    public void OomScoreAdj_IsTheProcesss()
    {
        using var bundle = new RuntimeBundle("echo adj=$(cat /proc/self/oom_score_adj)", json => json["process"]!["oomScoreAdj"] = 500);

        Assert.Contains("adj=500", bundle.RunToCompletion("oom"));
    }

    [RootFact]
    public void Mounts_PropagationAndUnbindable_AreAppliedAfterTheMount()
    {
        using var bundle = new RuntimeBundle("grep -E ' /(tshared|tunbindable) ' /proc/self/mountinfo", json =>
        {
            JsonArray mounts = json["mounts"]!.AsArray();
            mounts.Add(new JsonObject { ["destination"] = "/tshared", ["type"] = "tmpfs", ["source"] = "tmpfs", ["options"] = new JsonArray("nosuid", "shared") });
            mounts.Add(new JsonObject { ["destination"] = "/tunbindable", ["source"] = "/etc", ["options"] = new JsonArray("bind", "nosuid", "unbindable") });
        });

        string[] lines = bundle.RunToCompletion("propagation").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains(lines, l => l.Contains(" /tshared ") && l.Contains(" shared:") && l.Contains(" - tmpfs "));
        Assert.Contains(lines, l => l.Contains(" /tunbindable ") && l.Contains(" unbindable ") && l.Contains("nosuid"));
    }

    [RootFact]
    public void Hooks_GetTheStateOnStdin_AtTheirPointOfTheLifecycle()
    {
        using var logs = new TempDirectory("minirun-hooks");
        string log = logs.Combine("hooks.log");
        using var bundle = new RuntimeBundle("echo process ran", json =>
        {
            json["annotations"] = new JsonObject { ["who"] = "hooks-test" };
            json["hooks"] = new JsonObject
            {
                ["prestart"] = new JsonArray(Hook("prestart")),
                ["createRuntime"] = new JsonArray(Hook("createRuntime")),
                ["poststart"] = new JsonArray(Hook("poststart")),
                ["poststop"] = new JsonArray(Hook("poststop")),
            };
        });
        string Log() => File.ReadAllText(log);
        JsonObject Hook(string name) => new()
        {
            ["path"] = "/bin/sh", ["args"] = new JsonArray("sh", "-c", $"(echo {name}; cat; echo) >> {log}"), ["timeout"] = 5,
        };

        Assert.Equal(0, bundle.Create("hooked").ExitCode);
        Assert.Matches("^prestart\n\\{.*\"status\": \"created\".*\\}\ncreateRuntime\n", Log().Replace("\n  ", " ").Replace("\n}", " }"));
        Assert.DoesNotContain("process ran", bundle.Output);
        Assert.Equal(0, bundle.Runtime("start", "hooked").ExitCode);
        RuntimeBundle.WaitFor(() => bundle.Status("hooked") == "stopped");
        Assert.Contains("poststart", Log());
        Assert.Equal(0, bundle.Runtime("delete", "hooked").ExitCode);

        string[] phases = Log().Split('\n').Where(l => l is "prestart" or "createRuntime" or "poststart" or "poststop").ToArray();
        Assert.Equal(["prestart", "createRuntime", "poststart", "poststop"], phases);
        Assert.Contains("\"who\": \"hooks-test\"", Log());
        Assert.Contains("\"status\": \"stopped\"", Log());
    }

    [RootFact]
    public void Hooks_FailingPrestart_FailsCreateAndLeavesNoContainer()
    {
        using var bundle = new RuntimeBundle("echo must-not-run", json =>
            json["hooks"] = new JsonObject { ["prestart"] = new JsonArray(new JsonObject { ["path"] = "/bin/sh", ["args"] = new JsonArray("sh", "-c", "exit 3") }) });

        Assert.NotEqual(0, bundle.Create("prefail").ExitCode);

        Assert.Contains("prestart hook 0 (/bin/sh) exited with status 3", bundle.Output);
        Assert.False(Directory.Exists(Path.Combine(bundle.StateRoot, "prefail")));
    }

    [RootFact]
    public void Hooks_PoststartOutlivingItsTimeout_IsKilledAndOnlyWarns()
    {
        using var bundle = new RuntimeBundle("sleep 1", json =>
            json["hooks"] = new JsonObject { ["poststart"] = new JsonArray(new JsonObject { ["path"] = "/bin/sleep", ["args"] = new JsonArray("sleep", "30"), ["timeout"] = 1 }) });
        Assert.Equal(0, bundle.Create("slowhook").ExitCode);

        ExternalCommand.Result start = bundle.Runtime("start", "slowhook");

        Assert.Equal(0, start.ExitCode);
        Assert.Contains("warning: poststart hook 0 (/bin/sleep) did not end within its timeout of 1 s", start.Stderr);
    }

    [RootFact]
    public void UnknownMember_AsksForSomethingMiniRunDoesNotDo_IsRefusedByName()
    {
        using var bundle = new RuntimeBundle("echo must-not-run", json => json["process"]!["apparmorProfile"] = "some-profile");

        Assert.NotEqual(0, bundle.Create("apparmor").ExitCode);

        Assert.Contains("config.json: process.apparmorProfile: not supported by minirun", bundle.Output);
    }

    [RootFact]
    public void RootfsPropagation_Shared_MakesTheContainersRootShared()
    {
        using var bundle = new RuntimeBundle("awk '$5 == \"/\"' /proc/self/mountinfo", json => json["linux"]!["rootfsPropagation"] = "shared");

        Assert.Contains(" shared:", bundle.RunToCompletion("rootshared"));
    }

    [RootFact]
    public void Kill_RightAfterStart_ReachesTheProcessNotTheStage()
    {
        // start returns once the process runs: a signal then finds the shell (with its trap), not minirun's stage.
        using var bundle = new RuntimeBundle("trap 'echo got USR2; exit 0' USR2; echo ready; sleep 10 & wait $!");
        Assert.Equal(0, bundle.Create("signalled").ExitCode);
        Assert.Equal(0, bundle.Runtime("start", "signalled").ExitCode);
        RuntimeBundle.WaitFor(() => bundle.Output.Contains("ready"));

        Assert.Equal(0, bundle.Runtime("kill", "signalled", "USR2").ExitCode);

        RuntimeBundle.WaitFor(() => bundle.Status("signalled") == "stopped");
        Assert.Contains("got USR2", bundle.Output);
    }

    [RootFact]
    public void Process_StartsWithNoSignalIgnored()
    {
        // grep itself, not through a shell (busybox's sh ignores SIGQUIT for its commands).
        using var bundle = new RuntimeBundle("", json => json["process"]!["args"] = new JsonArray("grep", "SigIgn", "/proc/self/status"));

        string line = bundle.RunToCompletion("signals").Trim();
        Assert.StartsWith("SigIgn:", line);
        // The 31 standard signals (SIGPIPE, which .NET ignores, among them) at their default; 32 and up are glibc's own.
        Assert.Equal(0UL, Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 0x7fffffffUL);
    }

    [RootFact]
    public void DeviceRules_DenyingAll_LeaveTheDefaultDevicesUsable()
    {
        using var bundle = new RuntimeBundle("echo x > /dev/null && head -c 1 /dev/zero | wc -c && echo devices-ok", json =>
            json["linux"]!["resources"] = new JsonObject { ["devices"] = new JsonArray(new JsonObject { ["allow"] = false, ["access"] = "rwm" }) });

        Assert.Contains("devices-ok", bundle.RunToCompletion("denyall"));
    }

    [RootFact]
    public void Namespaces_ByPath_AreJoined()
    {
        // Another container holds the namespaces; the second joins its network, UTS and PID namespaces by path.
        using var holder = new RuntimeBundle("sleep 30", json =>
        {
            json["hostname"] = "holder";
            JsonArray namespaces = json["linux"]!["namespaces"]!.AsArray();
            if (!namespaces.Any(n => (string?)n!["type"] == "network")) namespaces.Add(new JsonObject { ["type"] = "network" });
        });
        Assert.Equal(0, holder.Create("holder").ExitCode);
        Assert.Equal(0, holder.Runtime("start", "holder").ExitCode);
        int pid = JsonDocument.Parse(holder.Runtime("state", "holder").Stdout).RootElement.GetProperty("pid").GetInt32();
        string net = new FileInfo($"/proc/{pid}/ns/net").LinkTarget!;
        using var joiner = new RuntimeBundle("echo net=$(readlink /proc/self/ns/net) host=$(hostname) pid1=$(cat /proc/1/comm)", json =>
        {
            json.AsObject().Remove("hostname");
            JsonArray namespaces = json["linux"]!["namespaces"]!.AsArray();
            foreach ((string type, string file) in new[] { ("network", "net"), ("uts", "uts"), ("pid", "pid") })
            {
                namespaces.Remove(namespaces.FirstOrDefault(n => (string?)n!["type"] == type));
                namespaces.Add(new JsonObject { ["type"] = type, ["path"] = $"/proc/{pid}/ns/{file}" });
            }
        });

        string output = joiner.RunToCompletion("joiner");

        Assert.Contains($"net={net} host=holder pid1=sleep", output);
    }

    [RootFact]
    public void Resources_CpuPeriodCpusetAndMemoryMembers_AreWrittenToTheCgroup()
    {
        var cgroups = MiniRun.Sandbox.Cgroups.CgroupDetector.Detect();
        if (cgroups is null || cgroups.Version != "v1") return; // the files read below are cgroup v1's (this machine's hybrid layout)
        using var bundle = new RuntimeBundle("sleep 30", json =>
        {
            json["linux"]!["cgroupsPath"] = "/minirun-test-resources";
            json["linux"]!["resources"] = new JsonObject
            {
                ["cpu"] = new JsonObject { ["quota"] = 50000, ["period"] = 200000, ["cpus"] = "0", ["mems"] = "0" },
                ["memory"] = new JsonObject { ["limit"] = 67108864, ["swap"] = 67108864, ["reservation"] = 33554432, ["swappiness"] = 10, ["disableOOMKiller"] = true },
            };
        });
        Assert.Equal(0, bundle.Create("resources").ExitCode);

        string Read(string file) => File.ReadAllText($"/sys/fs/cgroup/{file}").Trim();
        Assert.Equal("200000", Read("cpu/minirun-test-resources/cpu.cfs_period_us"));
        Assert.Equal("50000", Read("cpu/minirun-test-resources/cpu.cfs_quota_us"));
        Assert.Equal("0", Read("cpuset/minirun-test-resources/cpuset.cpus"));
        Assert.Equal("33554432", Read("memory/minirun-test-resources/memory.soft_limit_in_bytes"));
        Assert.Equal("10", Read("memory/minirun-test-resources/memory.swappiness"));
        Assert.Contains("oom_kill_disable 1", Read("memory/minirun-test-resources/memory.oom_control"));
    }

    [RootFact]
    public void Resources_MemberMiniRunDoesNotSet_IsRefusedByName()
    {
        using var bundle = new RuntimeBundle("echo must-not-run", json =>
            json["linux"]!["resources"] = new JsonObject { ["hugepageLimits"] = new JsonArray(new JsonObject { ["pageSize"] = "2MB", ["limit"] = 1 }) });

        Assert.NotEqual(0, bundle.Create("hugepages").ExitCode);

        Assert.Contains("config.json: linux.resources.hugepageLimits: not supported by minirun", bundle.Output);
    }

    [RootFact]
    public void MaskedPaths_OfTheImage_AreMaskedAndWhatLiesBelowAMaskedDirectoryStaysHidden()
    {
        using var bundle = new RuntimeBundle("cat /secret-file /secret-dir/inner 2>&1; ls -A /secret-dir; echo listed", json =>
            json["linux"]!["maskedPaths"] = new JsonArray("/secret-dir", "/secret-file", "/secret-dir/inner"));
        Directory.CreateDirectory(Path.Combine(bundle.Path, "rootfs/secret-dir"));
        File.WriteAllText(Path.Combine(bundle.Path, "rootfs/secret-dir/inner"), "inner secret");
        File.WriteAllText(Path.Combine(bundle.Path, "rootfs/secret-file"), "top secret");

        string output = bundle.RunToCompletion("masked");

        Assert.DoesNotContain("top secret", output);
        Assert.DoesNotContain("inner secret", output);
        Assert.DoesNotContain("inner\n", output); // ls of the masked directory shows nothing
        Assert.Contains("listed", output);
    }

    [RootFact]
    public void UnknownProperty_TheSpecDoesNotDefine_IsIgnored()
    {
        // config.md "Extensibility": a property no version of the runtime-spec defines is ignored, not refused.
        using var bundle = new RuntimeBundle("echo ran", json => json["org.example.extension"] = new JsonObject { ["x"] = 1 });

        Assert.Contains("ran", bundle.RunToCompletion("extension"));
    }

    [RootFact]
    public void Create_LeavesTheParkedProcessInItsCgroup()
    {
        // As runc's: an engine (and runtime-tools) reads /proc/PID/cgroup of a created container.
        using var bundle = new RuntimeBundle("true", json =>
        {
            json["linux"]!["cgroupsPath"] = "minirun-test-parked"; // one level: delete removes it whole
            json["linux"]!["resources"] = new JsonObject { ["pids"] = new JsonObject { ["limit"] = 50 } };
        });
        Assert.Equal(0, bundle.Create("parkedcg").ExitCode);
        int pid = JsonDocument.Parse(bundle.Runtime("state", "parkedcg").Stdout).RootElement.GetProperty("pid").GetInt32();

        string[] lines = File.ReadAllLines($"/proc/{pid}/cgroup");

        Assert.Contains(lines, l => l.Contains(":pids:", StringComparison.Ordinal) && l.Contains(":/minirun-test-parked", StringComparison.Ordinal)
                                    || l.StartsWith("0::/minirun-test-parked", StringComparison.Ordinal));
    }
}
