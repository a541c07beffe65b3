using MiniRun.Containers;
using MiniRun.Native;
using MiniRun.Runtime.Spec;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Tests.Runtime;

/// <summary>The OCI spec → the stages' specs: the same init spec `run` sent before the spec layer, and refusals by name.</summary>
public class StagePlanTests
{
    private const string Root = SpecFixtures.RootFs;

    private static bool? Kind(string path) => path switch { "/proc/kcore" or "/proc/keys" => false, "/sys/firmware" or "/proc/sys" or "/proc/acpi" => true, _ => null };

    private static StageFacts Facts(string? terminal = null) => new()
    {
        RootFs = Root,
        CgroupJoinFiles = ["/sys/fs/cgroup/pids/minirun/x/tasks"],
        SeccompFilter = new SeccompFilter([1, 2, 3, 4, 5, 6, 7, 8], "test"),
        SessionKeyring = "_ses.x",
        Home = "/root",
        LastCapability = 40,
        Terminal = terminal,
        KindOf = Kind,
    };

    private static InitSpec Init(ContainerSecurity? security = null, NetworkMode network = NetworkMode.Host, ContainerUser? user = null, string? terminal = null) =>
        StagePlan.Init(SpecFixtures.Generate(SpecFixtures.Record(security, network: network), user), Facts(terminal));

    [Fact]
    public void Init_DefaultRun_DockersMountsDevicesAndPrivileges()
    {
        InitSpec spec = Init(terminal: "/dev/pts/3");

        Assert.Equal([.. ContainerMounts.Build(Root), ContainerMounts.Console(Root, "/dev/pts/3"), .. ContainerMounts.Masks(Root, Kind),
            .. ContainerMounts.ReadOnly(Root, Kind)], spec.Mounts);
        Assert.Empty(spec.CgroupMounts); // no cgroup manager: no cgroupfs on this host
        Assert.Equal(ContainerMounts.Devices(), spec.Devices);
        Assert.Equal(ContainerMounts.Symlinks(withCore: true), spec.Symlinks);
        Assert.Empty(spec.RootMounts);
        Assert.Equal(SandboxLauncher.UnsharedByInit(isolateNetwork: false), spec.Namespaces);
        Assert.False(spec.IsolateNetwork);
        Assert.Equal(0xa80425fbUL, spec.Process.Capabilities); // Docker's 14, CapEff of a container's root
        Assert.Equal((0u, 0u, 40), (spec.Process.Uid, spec.Process.Gid, spec.Process.LastCapability));
        Assert.Equal((Root, SpecFixtures.Id[..12], "/"), (spec.RootFs, spec.Hostname, spec.Process.WorkingDir));
        Assert.Equal(["sleep", "300"], spec.Process.Args);
        Assert.Equal([ContainerEnvironment.DefaultPath, "HOSTNAME=" + SpecFixtures.Id[..12], "HOME=/root"], spec.Process.Env);
        Assert.Equal(("_ses.x", "test"), (spec.Process.SessionKeyring, spec.Process.SeccompFilter!.Source));
        Assert.Equal(["/sys/fs/cgroup/pids/minirun/x/tasks"], spec.CgroupJoinFiles);
        Assert.False(spec.UseChroot);
    }

    [Fact]
    public void Init_Privileged_WritableSysNoMasksHostDevicesEveryCapability()
    {
        InitSpec spec = Init(new ContainerSecurity { Privileged = true });

        Assert.Equal(ContainerMounts.Build(Root, privileged: true), spec.Mounts);
        // The host's nodes, then runc's defaults the host lacks (this fake host has no /dev/zero, …).
        Assert.Equal(["dev/null", "dev/sda", "dev/zero", "dev/full", "dev/random", "dev/urandom", "dev/tty"], spec.Devices.Select(d => d.Path));
        Assert.True(spec.Devices[1].Block);
        Assert.Equal(Capabilities.All(40), spec.Process.Capabilities);
    }

    [Fact]
    public void Init_NetworkNoneReadOnlyUser_AsTheFlagsSay()
    {
        InitSpec spec = Init(new ContainerSecurity { ReadOnlyRootfs = true, NoNewPrivileges = true }, NetworkMode.None,
            new ContainerUser(1000, 1001, [27], "/home/u"));

        Assert.True(spec.IsolateNetwork);
        Assert.Equal(SandboxLauncher.UnsharedByInit(isolateNetwork: true), spec.Namespaces);
        Assert.Equal([ContainerMounts.ReadOnlyRoot()], spec.RootMounts);
        Assert.Equal((1000u, 1001u), (spec.Process.Uid, spec.Process.Gid));
        Assert.Equal([27u], spec.Process.Groups);
        Assert.True(spec.Process.NoNewPrivileges);
    }

    [Fact]
    public void Init_EnvironmentWithHome_KeepsIt()
    {
        OciSpec oci = SpecFixtures.Generate(SpecFixtures.Record());
        oci.Process!.Env = ["HOME=/data"];

        Assert.Equal(["HOME=/data"], StagePlan.Init(oci, Facts()).Process.Env);
    }

    [Fact]
    public void Process_ForExec_TheContainersPrivilegesWithTheCommand()
    {
        OciProcess process = SpecFixtures.Generate(SpecFixtures.Record(new ContainerSecurity { CapAdd = ["SYS_ADMIN"] })).Process!;
        process.Args = ["sh"];
        process.Cwd = "/tmp";

        StageProcess stage = StagePlan.Process(process, Facts());

        Assert.Equal(0xa80425fbUL | 1UL << 21, stage.Capabilities);
        Assert.Equal(["sh"], stage.Args);
        Assert.Equal(("/tmp", "_ses.x", 40), (stage.WorkingDir, stage.SessionKeyring!, stage.LastCapability));
        Assert.Contains("HOME=/root", stage.Env);
    }

    [Fact]
    public void BirthAndInit_NoPidNamespaceInTheSpec_TheHostsAsDockersPidHost_NoMountNamespaceRefused()
    {
        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record() with { Namespaces = new ContainerNamespaces { Pid = "host", Ipc = "host", Uts = "host" } });

        Assert.Equal((false, null, null), StagePlan.Birth(spec));
        Assert.Equal(NamespaceFlags.Mount, StagePlan.Init(spec, Facts()).Namespaces); // the stage unshares only its mounts; no hostname to set
        Assert.Equal("", StagePlan.Init(spec, Facts()).Hostname);
        Assert.Equal((true, null, null), StagePlan.Birth(SpecFixtures.Generate(SpecFixtures.Record())));

        spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "mount");
        Assert.Contains("mount namespace", Assert.ThrowsAny<MiniRunException>(() => StagePlan.Init(spec, Facts())).Message);
    }

    [Fact]
    public void Init_WhatMiniRunCannotDo_IsRefusedByName()
    {
        void Refused(string field, Action<OciSpec> change)
        {
            OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record());
            change(spec);
            var e = Assert.ThrowsAny<MiniRunException>(() => StagePlan.Init(spec, Facts()));
            Assert.Contains(field, e.Message);
        }

        Refused("linux.uidMappings", s => s.Linux!.UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }]);
        Refused("process.rlimits (RLIMIT_FLY)", s => s.Process!.Rlimits = [new PosixRlimit { Type = "RLIMIT_FLY", Hard = 1024, Soft = 1024 }]);
        Refused("process.rlimits (RLIMIT_NOFILE)", s => s.Process!.Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = 10, Soft = 20 }]);
        Refused("process.terminal", s => s.Process!.Terminal = true); // with no --console-socket to send its master to
        Refused("linux.namespaces (cgroup, path /run/cg)", s =>
        {
            s.Linux!.Namespaces!.RemoveAll(n => n.Type == "cgroup");
            s.Linux.Namespaces.Add(new LinuxNamespace { Type = "cgroup", Path = "/run/cg" });
        });
        Refused("linux.namespaces (ipc)", s => s.Linux!.Namespaces!.AddRange([new LinuxNamespace { Type = "ipc" }, new LinuxNamespace { Type = "ipc" }]));
        Refused("process.apparmorProfile", s => s.Process!.Unknown = new() { ["apparmorProfile"] = System.Text.Json.JsonDocument.Parse("\"p\"").RootElement });
        Refused("linux.mountLabel", s => s.Linux!.Unknown = new() { ["mountLabel"] = System.Text.Json.JsonDocument.Parse("\"l\"").RootElement });
        Refused("linux.sysctl (kernel.panic)", s => s.Linux!.Sysctl = new() { ["kernel.panic"] = "1" });
        Refused("linux.rootfsPropagation (sideways)", s => s.Linux!.RootfsPropagation = "sideways");
        Refused("linux.devices (/dev/x, type q)", s => s.Linux!.Devices = [new LinuxDevice { Path = "/dev/x", Type = "q" }]);
        Refused("hooks.createContainer", s => s.Hooks = new OciHooks { CreateContainer = [new OciHook { Path = "/bin/true" }] });
        Refused("process.oomScoreAdj (1001)", s => s.Process!.OomScoreAdj = 1001);
        Refused("ociVersion (invalid)", s => s.OciVersion = "invalid");
        Refused("linux.namespaces (user)", s => s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" }));
        Refused("linux.sysctl (net.ipv4.ip_forward): the container shares this namespace with the host", s => s.Linux!.Sysctl = new() { ["net.ipv4.ip_forward"] = "1" });
        Refused("process.capabilities", s => s.Process!.Capabilities!.Ambient = ["CAP_CHOWN"]);
        Refused("process.user.umask (1000)", s => s.Process!.User.Umask = 0x200);
        Refused("mount option \"sync\"", s => s.Mounts![0].Options!.Add("sync"));
        Refused("linux.uidMappings", s => s.Linux!.UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 1000, Size = 10 }]);
        Refused("linux.uidMappings", s =>
        {
            s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
            s.Linux.UidMappings = [new LinuxIdMapping { ContainerId = 1, HostId = 1000, Size = 10 }];
            s.Linux.GidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 1000, Size = 10 }];
        });
    }

    [Fact]
    public void Init_UnknownCapability_IsLeftOutWithOneWarning_AsRuncDoes()
    {
        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record());
        ulong expected = StagePlan.Init(SpecFixtures.Generate(SpecFixtures.Record()), Facts()).Process.Capabilities;
        spec.Process!.Capabilities!.Bounding = [.. spec.Process.Capabilities.Bounding!, "CAP_FLY"];
        var warnings = new List<string>();
        InitSpec init = StagePlan.Init(spec, Facts() with { Warn = warnings.Add });
        Assert.Equal(expected, init.Process.Capabilities);
        Assert.Contains("ignoring CAP_FLY", Assert.Single(warnings));
    }

    [Fact]
    public void Init_UserNamespace_IsClonedWithItsMaps_AndTheParentJoinsTheCgroup()
    {
        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record());
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        spec.Linux.UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }];
        spec.Linux.GidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 200000, Size = 65536 }];
        InitSpec init = StagePlan.Init(spec, Facts() with { CgroupJoinFiles = ["/sys/fs/cgroup/pids/x/cgroup.procs"] });
        Assert.NotNull(init.UserNamespace);
        Assert.Equal([new IdMapping(0, 100000, 65536)], init.UserNamespace!.Uids);
        Assert.Equal(200000u, UserNamespace.Outside(init.UserNamespace.Gids, 0));
        Assert.False(init.Namespaces.HasFlag(NamespaceFlags.User)); // made by the clone, not unshared by the stage
        Assert.Empty(init.CgroupJoinFiles); // the stage owns no host cgroup file: its parent moves it
        Assert.True(InitSpecReader.Read(InitSpecWriter.Write(init)).InUserNamespace); // the stage binds device nodes
    }

    [Fact]
    public void Init_MountPropagationAndBindFlags_ComeInCallsOfTheirOwn()
    {
        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record());
        spec.Mounts!.Add(new OciMount { Destination = "/t", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "rshared"] });
        spec.Mounts.Add(new OciMount { Destination = "/b", Source = "/etc", Options = ["rbind", "ro", "unbindable"] });

        List<MountRecord> mounts = StagePlan.Init(spec, Facts()).Mounts;

        string root = SpecFixtures.RootFs;
        Assert.Equal(
        [
            new MountRecord("tmpfs", "tmpfs", root + "/t", MountFlags.NoSuid),
            new MountRecord("none", "none", root + "/t", MountFlags.Shared | MountFlags.Recursive),
            new MountRecord("bind", "/etc", root + "/b", MountFlags.Bind | MountFlags.Recursive | MountFlags.ReadOnly),
            new MountRecord("bind", "none", root + "/b", MountFlags.Remount | MountFlags.Bind | MountFlags.ReadOnly),
            new MountRecord("none", "none", root + "/b", MountFlags.Unbindable),
        ], mounts.Where(m => m.Target is var t && (t == root + "/t" || t == root + "/b")));
    }

    [Fact]
    public void Init_SysctlAndOomScoreAdj_AreKernelSettingsOfTheContainersNamespaces()
    {
        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record(network: NetworkMode.None));
        spec.Linux!.Sysctl = new() { ["net.ipv4.ip_forward"] = "1", ["kernel.shmmax"] = "4096" };
        spec.Process!.OomScoreAdj = -5;

        InitSpec init = StagePlan.Init(spec, Facts());

        Assert.Equal([new KernelSetting("/proc/sys/net/ipv4/ip_forward", "1"), new KernelSetting("/proc/sys/kernel/shmmax", "4096"),
            new KernelSetting("/proc/self/oom_score_adj", "-5")], init.KernelSettings);
    }

    [Fact]
    public void Init_NamespacesByPath_AreJoinedNotUnsharedAndTheirSysctlsAllowed()
    {
        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record());
        spec.Linux!.Namespaces!.RemoveAll(n => n.Type is "network" or "pid");
        spec.Linux.Namespaces.Add(new LinuxNamespace { Type = "network", Path = "/run/netns/x" });
        spec.Linux.Namespaces.Add(new LinuxNamespace { Type = "pid", Path = "/proc/7/ns/pid" });
        spec.Linux.Sysctl = new() { ["net.ipv4.ip_forward"] = "1" };

        InitSpec init = StagePlan.Init(spec, Facts());

        Assert.Equal([new NamespacePath(NamespaceFlags.Network, "/run/netns/x")], init.JoinNamespaces);
        Assert.Equal("/proc/7/ns/pid", init.PidNamespacePath);
        Assert.False(init.Namespaces.HasFlag(NamespaceFlags.Network));
        Assert.Contains(new KernelSetting("/proc/sys/net/ipv4/ip_forward", "1"), init.KernelSettings);
    }

    /// <summary>Docker writes "blockIO": {"weight": 0} into every container's config.json: it asks for nothing, so it runs.</summary>
    [Fact]
    public void Limits_BlockIoThatAsksNothing_IsLetThroughAndOneThatAsksIsRefused()
    {
        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record());
        spec.Linux!.Resources ??= new LinuxResources();
        spec.Linux.Resources.Unknown = new() { ["blockIO"] = System.Text.Json.JsonDocument.Parse("{\"weight\": 0}").RootElement };
        ResourcesSection.ToLimits(spec.Linux.Resources);

        spec.Linux.Resources.Unknown = new() { ["blockIO"] = System.Text.Json.JsonDocument.Parse("{\"weight\": 500}").RootElement };
        Assert.StartsWith("config.json: linux.resources.blockIO: not supported", Assert.Throws<MiniRunException>(() => ResourcesSection.ToLimits(spec.Linux.Resources)).Message);
    }

    [Fact]
    public void Init_TerminalWithConsoleSocket_IsHandedToTheStage()
    {
        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record());
        spec.Process!.Terminal = true;

        Assert.Equal("/run/console.sock", StagePlan.Init(spec, Facts() with { ConsoleSocket = "/run/console.sock" }).ConsoleSocket);
        spec.Process.Terminal = false;
        Assert.Contains("process.terminal", Assert.Throws<MiniRunException>(() => StagePlan.Init(spec, Facts() with { ConsoleSocket = "/run/console.sock" })).Message);
    }

    /// <summary>What runtime-tools' default spec asks for: rlimits, and inheritable and ambient sets equal to the others.</summary>
    [Fact]
    public void Init_RlimitsInheritableAmbientAndUmask_AreCarriedToTheStage()
    {
        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record());
        spec.Process!.Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 512 }];
        spec.Process.Capabilities!.Inheritable = ["CAP_CHOWN", "CAP_KILL"];
        spec.Process.Capabilities.Ambient = ["CAP_KILL"];
        spec.Process.User.Umask = 0x3f;

        StageProcess process = StagePlan.Init(spec, Facts()).Process;

        Assert.Equal([new ResourceLimit("RLIMIT_NOFILE", 7, 512, 1024)], process.ResourceLimits);
        Assert.Equal((1UL << 0) | (1UL << 5), process.InheritableCapabilities);
        Assert.Equal(1UL << 5, process.AmbientCapabilities);
        Assert.Equal(0x3fu, process.Umask);
    }

    [Fact]
    public void MountOptions_FlagWordsAndData_AsMount2TakesThem()
    {
        Assert.Equal((MountFlags.NoSuid | MountFlags.StrictAtime, "mode=755,size=65536k"),
            MountOptions.Parse(["nosuid", "strictatime", "mode=755", "size=65536k"]));
        Assert.Equal((MountFlags.Bind | MountFlags.Recursive | MountFlags.Private | MountFlags.Recursive | MountFlags.ReadOnly, (string?)null),
            MountOptions.Parse(["rbind", "rprivate", "ro"]));
        Assert.Equal((MountFlags.None, (string?)null), MountOptions.Parse(["ro", "rw"]));
    }
}
