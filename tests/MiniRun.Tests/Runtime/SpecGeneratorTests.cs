using MiniRun.Containers;
using MiniRun.Runtime.Spec;

namespace MiniRun.Tests.Runtime;

/// <summary>
/// The generator against what Docker puts in a container's config.json (fixtures recorded from dockerd 20.10.24 on
/// Debian 12), minus what differs by design: MiniRun's /etc files are in the init layer (no binds), its network is
/// the host's (no sysctl, no network namespace) unless --network none, every container has its own cgroup namespace,
/// its cgroup is minirun/ID, swap equals --memory, and its device allow-list already holds runc's defaults.
/// </summary>
public class SpecGeneratorTests
{
    private static readonly string[] DockerBinds = ["/etc/resolv.conf", "/etc/hostname", "/etc/hosts"];

    [Fact]
    public void Generate_DefaultRun_MatchesDockersConfigJson()
    {
        OciSpec docker = SpecFixtures.Docker("docker-20.10.24-minibox-config.json");

        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record(), withSeccomp: true);

        Assert.Equal(docker.OciVersion, spec.OciVersion);
        Assert.Equal(docker.Process!.Args, spec.Process!.Args);
        Assert.Equal(docker.Process.Env![0], spec.Process.Env![0]);
        Assert.Equal(docker.Process.Cwd, spec.Process.Cwd);
        Assert.Equal((docker.Process.User.Uid, docker.Process.User.Gid), (spec.Process.User.Uid, spec.Process.User.Gid));
        Assert.Equal(docker.Process.Capabilities!.Bounding, spec.Process.Capabilities!.Bounding);
        Assert.Equal(docker.Process.Capabilities.Effective, spec.Process.Capabilities.Effective);
        Assert.Equal(docker.Process.Capabilities.Permitted, spec.Process.Capabilities.Permitted);
        Assert.Null(spec.Process.Capabilities.Inheritable);
        Assert.Equal(docker.Process.NoNewPrivileges, spec.Process.NoNewPrivileges);
        Assert.Equal(docker.Root!.Readonly, spec.Root!.Readonly);
        Assert.Equal(SpecFixtures.RootFs, spec.Root.Path);

        var ours = spec.Mounts!.ToDictionary(m => m.Destination);
        foreach (OciMount mount in docker.Mounts!.Where(m => !DockerBinds.Contains(m.Destination)))
        {
            OciMount mine = ours[mount.Destination];
            Assert.Equal((mount.Type, mount.Source), (mine.Type, mine.Source));
            Assert.Equal(Normalized(mount.Options), Normalized(mine.Options));
        }
        Assert.Equal(docker.Mounts!.Count - DockerBinds.Length, spec.Mounts!.Count);

        OciLinux linux = spec.Linux!;
        Assert.Equal(docker.Linux!.MaskedPaths, linux.MaskedPaths);
        Assert.Equal(docker.Linux.ReadonlyPaths, linux.ReadonlyPaths);
        Assert.Equal(["pid", "ipc", "uts", "mount", "cgroup"], linux.Namespaces!.Select(n => n.Type));
        Assert.Equal(docker.Linux.Namespaces!.Select(n => n.Type).Where(t => t != "network").Order(),
            linux.Namespaces!.Select(n => n.Type).Where(t => t != "cgroup").Order());
        Assert.All(linux.Namespaces!, n => Assert.Null(n.Path));
        Assert.Equal("/minirun/" + SpecFixtures.Id, linux.CgroupsPath);
        Assert.Null(linux.Devices); // runc's default nodes only
        // Docker's first rule denies everything; each device it then allows, MiniRun allows too.
        Assert.Equal(Rule(docker.Linux.Resources!.Devices![0]), Rule(linux.Resources!.Devices![0]));
        foreach (LinuxDeviceCgroup allowed in docker.Linux.Resources.Devices.Where(d => d.Allow))
            Assert.Contains(Rule(allowed), linux.Resources.Devices.Select(Rule));
        Assert.Equal(docker.Linux.Seccomp!.DefaultAction, linux.Seccomp!.DefaultAction);
        Assert.Equal(docker.Linux.Seccomp.Architectures, linux.Seccomp.Architectures);
        Assert.Null(linux.Sysctl);
    }

    [Fact]
    public void Generate_MemoryPidsCpus_MatchDockersConfigJson()
    {
        LinuxResources docker = SpecFixtures.Docker("docker-20.10.24-minibox-resources-config.json").Linux!.Resources!;
        var resources = new ContainerResources { MemoryBytes = 64 << 20, PidsLimit = 50, Cpus = 0.5, CpuShares = 512 };

        LinuxResources spec = SpecFixtures.Generate(SpecFixtures.Record(resources: resources)).Linux!.Resources!;

        Assert.Equal(docker.Memory!.Limit, spec.Memory!.Limit);
        Assert.Equal(spec.Memory.Limit, spec.Memory.Swap); // Docker's default is twice the limit; MiniRun allows no swap beyond it
        Assert.Equal((docker.Cpu!.Shares, docker.Cpu.Quota, docker.Cpu.Period), (spec.Cpu!.Shares, spec.Cpu.Quota, spec.Cpu.Period));
        Assert.Equal(docker.Pids!.Limit, spec.Pids!.Limit);
    }

    [Fact]
    public void Generate_NoLimits_LeavesThemOut()
    {
        LinuxResources spec = SpecFixtures.Generate(SpecFixtures.Record()).Linux!.Resources!;

        Assert.Null(spec.Memory);
        Assert.Null(spec.Cpu);
        Assert.Null(spec.Pids);
    }

    [Fact]
    public void Generate_Privileged_EveryCapabilityHostDevicesNoMasksWritableSys()
    {
        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record(new ContainerSecurity { Privileged = true }), withSeccomp: true);

        Assert.Equal(41, spec.Process!.Capabilities!.Bounding!.Count);
        Assert.Contains("CAP_SYS_ADMIN", spec.Process.Capabilities.Permitted!);
        Assert.Equal(["/dev/null", "/dev/sda"], spec.Linux!.Devices!.Select(d => d.Path));
        Assert.Equal(("b", 8L, 0L, 0x1b0u), (spec.Linux.Devices![1].Type, spec.Linux.Devices[1].Major, spec.Linux.Devices[1].Minor, spec.Linux.Devices[1].FileMode!.Value));
        Assert.Null(spec.Linux.MaskedPaths);
        Assert.Null(spec.Linux.ReadonlyPaths);
        Assert.Null(spec.Linux.Seccomp);
        Assert.DoesNotContain("ro", spec.Mounts!.Single(m => m.Destination == "/sys").Options!);
        Assert.DoesNotContain("ro", spec.Mounts!.Single(m => m.Destination == "/sys/fs/cgroup").Options!);
        Assert.Equal([(true, (string?)null, (long?)null, (long?)null, (string?)"rwm")], spec.Linux.Resources!.Devices!.Select(Rule));
    }

    [Fact]
    public void Generate_CapAddDrop_AsDockerListsThem()
    {
        var security = new ContainerSecurity { CapAdd = ["SYS_ADMIN", "NET_ADMIN"], CapDrop = ["CHOWN"] };

        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record(security));

        // dockerd 20.10.24's config.json for --cap-add SYS_ADMIN --cap-add NET_ADMIN --cap-drop CHOWN.
        Assert.Equal(["CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP",
            "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", "CAP_NET_ADMIN", "CAP_SYS_ADMIN"],
            spec.Process!.Capabilities!.Bounding);
    }

    [Fact]
    public void Generate_CapDropAll_GivesNone()
    {
        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record(new ContainerSecurity { CapDrop = ["ALL"] }));

        Assert.Empty(spec.Process!.Capabilities!.Bounding!);
    }

    [Fact]
    public void Generate_ReadOnlyAndUser_RootReadonlyAndResolvedIds()
    {
        var user = new ContainerUser(1000, 1000, [10, 20], "/home/user");

        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record(new ContainerSecurity { ReadOnlyRootfs = true }), user);

        Assert.True(spec.Root!.Readonly);
        Assert.Equal((1000u, 1000u), (spec.Process!.User.Uid, spec.Process.User.Gid));
        Assert.Equal([10u, 20u], spec.Process.User.AdditionalGids);
        Assert.Null(spec.Process.User.Umask);
        Assert.DoesNotContain(spec.Process.Env!, e => e.StartsWith("HOME=")); // as Docker: the runtime adds HOME
    }

    [Fact]
    public void Generate_NetworkNone_OwnNetworkNamespace()
    {
        OciSpec none = SpecFixtures.Generate(SpecFixtures.Record(network: NetworkMode.None));
        OciSpec host = SpecFixtures.Generate(SpecFixtures.Record());

        Assert.Contains(none.Linux!.Namespaces!, n => n.Type == "network" && n.Path is null);
        Assert.DoesNotContain(host.Linux!.Namespaces!, n => n.Type == "network");
    }

    [Fact]
    public void Generate_SeccompUnconfinedAndNoNewPrivileges_NoSectionNoNewPrivileges()
    {
        var security = new ContainerSecurity { SeccompUnconfined = true, NoNewPrivileges = true };

        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record(security), withSeccomp: true);

        Assert.Null(spec.Linux!.Seccomp);
        Assert.True(spec.Process!.NoNewPrivileges);
    }

    [Fact]
    public void Generate_WithoutSeccompFlag_LeavesTheSectionToTheCompiledFilter()
    {
        Assert.Null(SpecFixtures.Generate(SpecFixtures.Record()).Linux!.Seccomp);
    }

    [Fact]
    public void Generate_DefaultSeccomp_DockersRulesForThisCapabilitySet()
    {
        LinuxSeccomp plain = SpecFixtures.Generate(SpecFixtures.Record(), withSeccomp: true).Linux!.Seccomp!;
        LinuxSeccomp admin = SpecFixtures.Generate(SpecFixtures.Record(new ContainerSecurity { CapAdd = ["SYS_ADMIN"] }), withSeccomp: true).Linux!.Seccomp!;

        Assert.Equal(("SCMP_ACT_ERRNO", 1u), (plain.DefaultAction, plain.DefaultErrnoRet!.Value));
        Assert.DoesNotContain(plain.Syscalls!, r => r.Names.Contains("unshare"));
        Assert.Contains(admin.Syscalls!, r => r.Names.Contains("unshare") && r.Action == "SCMP_ACT_ALLOW");
        Assert.Contains(plain.Syscalls!, r => r.Names.Contains("ptrace")); // includes minKernel 4.8: this kernel is 6.1
        Assert.Contains(plain.Syscalls!, r => r.Names.Contains("personality") && r.Args is { Count: 1 });
    }

    [Fact]
    public void Generate_SeccompProfileFile_ItsRules()
    {
        const string profile = """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chmod"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}""";

        LinuxSeccomp spec = SpecFixtures.Generate(SpecFixtures.Record(new ContainerSecurity { SeccompProfile = profile }), withSeccomp: true).Linux!.Seccomp!;

        Assert.Equal("SCMP_ACT_ALLOW", spec.DefaultAction);
        LinuxSyscall rule = Assert.Single(spec.Syscalls!);
        Assert.Equal(["chmod"], rule.Names);
        Assert.Equal(("SCMP_ACT_ERRNO", 13u), (rule.Action, rule.ErrnoRet!.Value));
    }

    [Theory]
    [InlineData("docker-20.10.24-minibox-host-modes-config.json", "host", "host", "host", 0L)]
    [InlineData("docker-20.10.24-minibox-ipc-none-config.json", null, "none", null, 0L)]
    [InlineData("docker-20.10.24-minibox-shm-size-config.json", null, null, null, 2L << 20)]
    public void Generate_PidIpcUtsShmSize_NamespacesMountsAndHostnameAsDockers(string fixture, string? pid, string? ipc, string? uts, long shmSize)
    {
        OciSpec docker = SpecFixtures.Docker(fixture);

        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record() with { Namespaces = ContainerNamespaces.Parse(pid, ipc, uts, shmSize, hostname: null) });

        var ours = spec.Mounts!.ToDictionary(m => m.Destination);
        foreach (OciMount mount in docker.Mounts!.Where(m => !DockerBinds.Contains(m.Destination)))
        {
            OciMount mine = ours[mount.Destination];
            Assert.Equal((mount.Type, mount.Source), (mine.Type, mine.Source));
            Assert.Equal(Normalized(mount.Options), Normalized(mine.Options));
        }
        Assert.Equal(docker.Mounts!.Count - DockerBinds.Length, spec.Mounts!.Count);
        Assert.Equal(docker.Linux!.Namespaces!.Select(n => n.Type).Where(t => t != "network").Order(),
            spec.Linux!.Namespaces!.Select(n => n.Type).Where(t => t != "cgroup").Order());
        Assert.Equal(docker.Hostname is null, spec.Hostname is null);
    }

    [Fact]
    public void Generate_IpcOfAnotherContainer_JoinsItsNamespaceAndBindsItsShm()
    {
        ContainerRecord record = SpecFixtures.Record() with { Namespaces = ContainerNamespaces.Parse(null, "container:donor", null, 0, null) };

        OciSpec spec = SpecGenerator.Generate(record, ContainerUser.Root, SpecFixtures.Host, SpecFixtures.RootFs,
            ipc: new SharedIpc("/proc/42/ns/ipc", "/store/containers/d/shm"));

        Assert.Equal("/proc/42/ns/ipc", spec.Linux!.Namespaces!.Single(n => n.Type == "ipc").Path);
        OciMount shm = spec.Mounts!.Single(m => m.Destination == "/dev/shm");
        Assert.Equal(("bind", "/store/containers/d/shm"), (shm.Type, shm.Source));
        Assert.Equal(["rbind", "rprivate"], shm.Options!);
        // Not looked up (the donor unresolved): refused, never a namespace of its own in its place.
        Assert.Throws<MiniRunException>(() => SpecFixtures.Generate(record));
    }

    [Theory]
    [InlineData("other", null, null, "--pid: invalid PID mode")]
    [InlineData("container:x", null, null, "not supported yet")]
    [InlineData(null, "bogus", null, "invalid IPC mode: bogus")]
    [InlineData(null, "container:", null, "invalid IPC mode")]
    [InlineData(null, null, "other", "--uts: invalid UTS mode")]
    [InlineData(null, null, "host", "conflicting options: hostname and the UTS mode")]
    public void ParseNamespaces_WhatDockerRefuses_IsRefused(string? pid, string? ipc, string? uts, string message)
    {
        var e = Assert.Throws<MiniRunException>(() => ContainerNamespaces.Parse(pid, ipc, uts, 0, hostname: uts == "host" ? "box" : null));
        Assert.Contains(message, e.Message);
    }

    /// <summary>A mount's options as a set, Docker's byte size of /dev/shm written as MiniRun's (in KiB when whole).</summary>
    private static List<string> Normalized(List<string>? options) =>
        (options ?? []).Select(o => o.StartsWith("size=", StringComparison.Ordinal) && long.TryParse(o[5..], out long bytes) && bytes % 1024 == 0
            ? $"size={bytes / 1024}k" : o).Order().ToList();

    private static (bool, string?, long?, long?, string?) Rule(LinuxDeviceCgroup rule) => (rule.Allow, rule.Type, rule.Major, rule.Minor, rule.Access);
}
