using MiniRun.Containers;
using MiniRun.Fixtures;

namespace MiniRun.Tests.Parity;

/// <summary>
/// /etc/resolv.conf and /etc/hosts: what Docker writes into a container, from this host's files and the same flags,
/// is what <see cref="ContainerResolvConf"/> and <see cref="ContainerHostsFile"/> build, byte for byte.
/// </summary>
public sealed class NetworkFilesParityTests(ParityImage image) : IClassFixture<ParityImage>
{
    public static TheoryData<string, string[]> ResolvConfCases() => new()
    {
        { "none", [] },
        { "none", ["--dns", "1.2.3.4"] },
        { "none", ["--dns", "1.2.3.4", "--dns", "::1", "--dns-search", "a.example", "--dns-search", "b.example.", "--dns-option", "ndots:2", "--dns-option", "rotate"] },
        { "none", ["--dns-search", "."] },
        { "none", ["--dns-search", "a.example", "--dns-search", "."] },
        { "none", ["--dns-option", "ndots:3"] },
        { "host", [] },
        { "host", ["--dns", "1.2.3.4"] },
        { "host", ["--dns-search", "a.example", "--dns-option", "rotate"] },
    };

    public static TheoryData<string, string[]> HostsCases() => new()
    {
        { "none", [] },
        { "none", ["--hostname", "web.example.com"] },
        { "none", ["--add-host", "db:10.1.2.3", "--add-host", "v6:fd00::1"] },
        { "host", [] },
        { "host", ["--add-host", "db:10.1.2.3"] },
    };

    [DockerTheory]
    [MemberData(nameof(ResolvConfCases))]
    public void ResolvConf_SameFlags_SameFileAsDocker(string network, string[] flags)
    {
        string docker = DockerEngine.Docker(["run", "--rm", "--network", network, .. flags, image.BuiltName, "cat", "/etc/resolv.conf"]);

        bool host = network == "host";
        string ours = ContainerResolvConf.Build(ContainerResolvConf.ReadHostFile(host), host,
            Values(flags, "--dns").Select(DnsFlags.CheckNameserver).ToList(),
            Values(flags, "--dns-search").Select(DnsFlags.CheckSearchDomain).ToList(), Values(flags, "--dns-option"));

        Assert.Equal(docker, ours);
    }

    [DockerTheory]
    [MemberData(nameof(HostsCases))]
    public void Hosts_SameFlags_SameFileAsDocker(string network, string[] flags)
    {
        string docker = DockerEngine.Docker(["run", "--rm", "--network", network, .. flags, image.BuiltName, "cat", "/etc/hosts"]);

        List<string> extraHosts = Values(flags, "--add-host").Select(ExtraHosts.Check).ToList();
        string ours = network == "host" ? ContainerHostsFile.ForHostNetwork(ContainerHostsFile.ReadHostFile(), extraHosts)
            : ContainerHostsFile.Build(Values(flags, "--hostname").FirstOrDefault() ?? "0123456789ab", [], [], extraHosts);

        Assert.Equal(docker, ours);
    }

    [DockerTheory]
    [InlineData("--dns", "1.2.3")]
    [InlineData("--dns", "fe80::1%eth0")]
    [InlineData("--dns-search", "a_b!")]
    public void BadValue_SameStatusAndWordsAsDocker(string flag, string value)
    {
        ExternalCommand.Result docker = DockerEngine.Status("create", flag, value, image.BuiltName);
        using var store = new TempDirectory("minirun-dns-parity");
        MiniRunCli.Result ours = new MiniRunCli(store.Path).Run("create", flag, value, image.Name);

        Assert.Equal(docker.ExitCode, ours.ExitCode);
        Assert.Equal(docker.Stderr.Split('\n')[0], ours.Stderr.TrimEnd('\n').Replace("minirun: ", "", StringComparison.Ordinal));
    }

    private static List<string> Values(string[] flags, string name) =>
        [.. flags.Select((f, i) => (f, i)).Where(p => p.f == name).Select(p => flags[p.i + 1])];
}
