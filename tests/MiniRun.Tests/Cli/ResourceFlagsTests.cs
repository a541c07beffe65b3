using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Verbs;

namespace MiniRun.Tests.Cli;

public class ResourceFlagsTests
{
    private static ParsedArguments Parse(params string[] args) => ArgumentParser.Parse("run", args, new RunVerb().Options, stopAtFirstPositional: true);

    [Theory]
    [InlineData("32m", 32L << 20)]
    [InlineData("64M", 64L << 20)]
    [InlineData("1g", 1L << 30)]
    [InlineData("512kb", 512L << 10)]
    [InlineData("10485760", 10485760L)]
    [InlineData("1.5g", 3L << 29)]
    public void ByteSizeParse_DockerUnits_GiveBytes(string text, long bytes)
    {
        Assert.Equal(bytes, ByteSize.Parse(text, "--memory"));
    }

    [Theory]
    [InlineData("32x")]
    [InlineData("m")]
    [InlineData("")]
    public void ByteSizeParse_Garbage_IsRefused(string text)
    {
        Assert.Throws<MiniRunException>(() => ByteSize.Parse(text, "--memory"));
    }

    [Fact]
    public void Parse_AllResourceFlags_FillTheResources()
    {
        var resources = ResourceFlags.Parse(Parse("-m", "32m", "--pids-limit", "12", "--cpus", "0.5", "-c", "512", "img"));

        Assert.Equal(32L << 20, resources.MemoryBytes);
        Assert.Equal(12, resources.PidsLimit);
        Assert.Equal(0.5, resources.Cpus);
        Assert.Equal(512, resources.CpuShares);
    }

    [Theory]
    [InlineData("--memory", "4m")]
    [InlineData("--cpus", "-1")]
    [InlineData("--cpus", "abc")]
    [InlineData("--pids-limit", "many")]
    [InlineData("--cpu-shares", "1")]
    public void Parse_BadValue_IsAUsageError(string flag, string value)
    {
        Assert.ThrowsAny<MiniRunException>(() => ResourceFlags.Parse(Parse(flag, value, "img")));
    }

    [Fact]
    public void SecurityParse_Flags_FillTheSecurity()
    {
        var security = SecurityFlags.Parse(Parse("--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--read-only", "--security-opt", "no-new-privileges", "--privileged", "img"));

        Assert.Equal(["ALL"], security.CapDrop);
        Assert.Equal(["NET_ADMIN"], security.CapAdd);
        Assert.True(security.ReadOnlyRootfs);
        Assert.True(security.NoNewPrivileges);
        Assert.True(security.Privileged);
    }

    [Theory]
    [InlineData("--cap-add", "NET_WIZARD")]
    [InlineData("--security-opt", "apparmor=docker-default")]
    [InlineData("--security-opt", "seccomp=/nonexistent/profile.json")]
    public void SecurityParse_Unknown_IsRefused(string flag, string value)
    {
        Assert.ThrowsAny<MiniRunException>(() => SecurityFlags.Parse(Parse(flag, value, "img")));
    }

    [Fact]
    public void SecurityParse_Seccomp_UnconfinedOrTheProfilesText()
    {
        Assert.True(SecurityFlags.Parse(Parse("--security-opt", "seccomp=unconfined", "img")).SeccompUnconfined);
        using var dir = new TempDirectory("minirun-seccomp-flag");
        string profile = dir.Combine("p.json");
        File.WriteAllText(profile, "{ \"defaultAction\": \"SCMP_ACT_ALLOW\" }");

        var security = SecurityFlags.Parse(Parse("--security-opt", $"seccomp={profile}", "img"));

        Assert.False(security.SeccompUnconfined);
        Assert.Equal("{ \"defaultAction\": \"SCMP_ACT_ALLOW\" }", security.SeccompProfile);
    }
}
