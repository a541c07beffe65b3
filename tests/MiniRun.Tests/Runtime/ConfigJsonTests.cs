using System.Text;
using MiniRun.Containers;
using MiniRun.Runtime.Spec;
using MiniRun.Sandbox.Cgroups;
using MiniRun.Tests.Support;

namespace MiniRun.Tests.Runtime;

/// <summary>config.json in and out: the spec's names, nulls left out, a round trip that changes nothing.</summary>
public class ConfigJsonTests
{
    [Fact]
    public void RoundTrip_GeneratedSpec_SameBytes()
    {
        var security = new ContainerSecurity { Privileged = false, CapAdd = ["NET_ADMIN"], ReadOnlyRootfs = true };
        var resources = new ContainerResources { MemoryBytes = 1 << 30, PidsLimit = 100, Cpus = 1.5, CpuShares = 256 };
        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record(security, resources, NetworkMode.None), withSeccomp: true);
        spec.Linux!.UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }];
        spec.Annotations = new() { ["org.opencontainers.image.ref.name"] = "minibox" };
        byte[] json = OciSpecJson.ToBytes(spec);

        byte[] again = OciSpecJson.ToBytes(OciSpecJson.Parse(json, "test"));

        Assert.Equal(Encoding.UTF8.GetString(json), Encoding.UTF8.GetString(again));
    }

    /// <summary>Members the types do not have are kept apart as read, where the refusal by name finds them, and never written back.</summary>
    [Fact]
    public void Parse_MembersWithoutAProperty_AreKeptAsUnknownAndNotWritten()
    {
        const string json = """
            {"ociVersion": "1.0.2", "vm": {"hypervisor": {}}, "root": {"path": "rootfs"},
             "process": {"cwd": "/", "args": ["sh"], "user": {"uid": 0, "gid": 0, "username": "root"}, "apparmorProfile": "p", "x-vendor": 1},
             "mounts": [{"destination": "/proc", "type": "proc", "source": "proc", "uidMappings": []}],
             "linux": {"mountLabel": "l", "resources": {"blockIO": {"weight": 500}, "memory": {"limit": 1, "useHierarchy": true}, "cpu": {"idle": 1}}}}
            """;

        OciSpec spec = OciSpecJson.Parse(Encoding.UTF8.GetBytes(json), "config.json");

        Assert.Equal(["vm"], spec.Unknown!.Keys);
        Assert.Equal(["apparmorProfile", "x-vendor"], spec.Process!.Unknown!.Keys.Order());
        Assert.Equal(["username"], spec.Process.User.Unknown!.Keys);
        Assert.Equal(["uidMappings"], spec.Mounts![0].Unknown!.Keys);
        Assert.Equal(["mountLabel"], spec.Linux!.Unknown!.Keys);
        Assert.Equal(500, spec.Linux.Resources!.Unknown!["blockIO"].GetProperty("weight").GetInt32());
        Assert.Equal(["useHierarchy"], spec.Linux.Resources.Memory!.Unknown!.Keys);
        Assert.Equal(["idle"], spec.Linux.Resources.Cpu!.Unknown!.Keys);
        Assert.Null(spec.Root!.GetType().GetProperty("Unknown"));
        string written = OciSpecJson.ToText(spec);
        Assert.DoesNotContain("apparmorProfile", written);
        Assert.DoesNotContain("blockIO", written);
        Assert.Equal(["x-vendor"], OciSpecJson.ParseProcess(Encoding.UTF8.GetBytes("""{"cwd": "/", "args": ["sh"], "user": {"uid": 0, "gid": 0}, "x-vendor": 1}"""), "p.json").Unknown!.Keys);
    }

    [Fact]
    public void RoundTrip_DockersConfigJson_KeepsEveryTypedField()
    {
        OciSpec docker = SpecFixtures.Docker("docker-20.10.24-minibox-config.json");

        OciSpec again = OciSpecJson.Parse(OciSpecJson.ToBytes(docker), "again");

        Assert.Equal(OciSpecJson.ToBytes(docker), OciSpecJson.ToBytes(again));
        Assert.Equal(10, again.Mounts!.Count);
        Assert.Equal("0", again.Linux!.Sysctl!["net.ipv4.ip_unprivileged_port_start"]);
        Assert.Equal(8, again.Linux.Resources!.Devices!.Count);
        Assert.Equal((false, null, null), (again.Linux.Resources.Devices[0].Allow, again.Linux.Resources.Devices[0].Type, again.Linux.Resources.Devices[0].Major));
        Assert.True(again.Linux.Seccomp!.Syscalls!.Count > 10);
    }

    [Fact]
    public void Write_NamesAreTheSpecsAndNullsAreLeftOut()
    {
        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record(), new ContainerUser(1, 2, [3], "/"));
        spec.Linux!.UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 1000, Size = 1 }];

        string json = Encoding.UTF8.GetString(OciSpecJson.ToBytes(spec));

        foreach (string name in new[] { "\"ociVersion\"", "\"additionalGids\"", "\"noNewPrivileges\"", "\"cgroupsPath\"", "\"maskedPaths\"",
                     "\"readonlyPaths\"", "\"containerID\"", "\"hostID\"", "\"uidMappings\"", "\"destination\"" })
            Assert.Contains(name, json);
        Assert.DoesNotContain("null", json);
        Assert.DoesNotContain("\"seccomp\"", json);
    }

    [Fact]
    public void ReadWrite_Bundle_ConfigJsonFile()
    {
        using var bundle = new TempDirectory();
        OciSpec spec = SpecFixtures.Generate(SpecFixtures.Record());

        OciSpecJson.Write(bundle.Path, spec);
        OciSpec read = OciSpecJson.Read(bundle.Path);

        Assert.Equal(OciSpecJson.ToBytes(spec), OciSpecJson.ToBytes(read));
        Assert.True(File.Exists(Path.Combine(bundle.Path, "config.json")));
    }

    [Fact]
    public void Read_MissingOrMalformed_OneLineNamingTheFile()
    {
        using var bundle = new TempDirectory();
        Assert.Contains("config.json: no such file", Assert.Throws<NotFoundException>(() => OciSpecJson.Read(bundle.Path)).Message);

        File.WriteAllText(Path.Combine(bundle.Path, "config.json"), "{\"process\": {\"args\": 3}}");
        var e = Assert.Throws<MiniRunException>(() => OciSpecJson.Read(bundle.Path));
        Assert.Contains("config.json: not a valid runtime configuration", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Resources_BackToCgroupLimits_WhatTheRecordGave()
    {
        foreach (bool privileged in new[] { false, true })
        {
            var resources = new ContainerResources { MemoryBytes = 64 << 20, PidsLimit = 50, Cpus = 0.3, CpuShares = 512 };
            CgroupLimits expected = resources.ToLimits(privileged);

            CgroupLimits limits = ResourcesSection.ToLimits(ResourcesSection.From(resources, privileged));

            Assert.Equal((expected.MemoryBytes, expected.PidsLimit, expected.CpuQuotaMicros, expected.CpuShares),
                (limits.MemoryBytes, limits.PidsLimit, limits.CpuQuotaMicros, limits.CpuShares));
            Assert.Equal(expected.Devices, limits.Devices);
        }
    }

    [Fact]
    public void Resources_SwapBeyondTheLimit_IsTheMemoryPlusSwapTotal()
    {
        // docker run --memory 64m gives swap twice the limit (Docker's --memory-swap default).
        var resources = new LinuxResources { Memory = new LinuxMemory { Limit = 100, Swap = 200 } };

        Assert.Equal(200, ResourcesSection.ToLimits(resources).MemorySwapBytes);
        Assert.Null(ResourcesSection.ToLimits(new LinuxResources { Memory = new LinuxMemory { Limit = 100, Swap = 100 } }).MemorySwapBytes);
    }

    [Fact]
    public void Resources_SwapBelowTheLimit_IsRefusedByName()
    {
        var resources = new LinuxResources { Memory = new LinuxMemory { Limit = 200, Swap = 100 } };

        Assert.Contains("linux.resources.memory.swap", Assert.Throws<MiniRunException>(() => ResourcesSection.ToLimits(resources)).Message);
    }
}
