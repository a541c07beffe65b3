using System.Text.Json;
using MiniRun.Containers;
using MiniRun.Images;

namespace MiniRun.Tests.Containers;

/// <summary>-p and --expose read as docker/cli and go-connections' nat read them (the texts checked against Docker in PortParityTests).</summary>
public sealed class PortRequestsTests
{
    private static string Show(IEnumerable<PortRequest> requests) =>
        string.Join(" ", requests.Select(r => $"{r.Key}@{r.HostIp}:{r.HostPorts?.ToString() ?? "any"}"));

    [Theory]
    [InlineData("8080:80", "80/tcp@:8080")]
    [InlineData("80", "80/tcp@:any")]
    [InlineData("0:80", "80/tcp@:any")]
    [InlineData(":80", "80/tcp@:any")]
    [InlineData("127.0.0.1:8080:80", "80/tcp@127.0.0.1:8080")]
    [InlineData("127.0.0.1::80/udp", "80/udp@127.0.0.1:any")]
    [InlineData("080/", "80/tcp@:any")]
    [InlineData("53/UDP", "53/udp@:any")]
    [InlineData("9/sctp", "9/sctp@:any")]
    [InlineData("8080:80/tcp/udp", "80/tcp@:8080")]
    public void Parse_OnePort_HostPortAndIpAsDocker(string flag, string expected)
    {
        Assert.Equal(expected, Show(PortRequests.Parse(flag)));
    }

    [Theory]
    [InlineData("[::1]:8080:80", "80/tcp@::1:8080")]
    [InlineData("::1:8080:80", "80/tcp@::1:8080")]
    [InlineData("[::]::80", "80/tcp@:::any")]
    [InlineData("[]:8080:80", "80/tcp@:8080")]
    [InlineData("::ffff:1.2.3.4:80:80", "80/tcp@::ffff:1.2.3.4:80")]
    public void Parse_Ipv6HostIp_BracketsOptional(string flag, string expected)
    {
        Assert.Equal(expected, Show(PortRequests.Parse(flag)));
    }

    [Fact]
    public void Parse_ContainerRange_OnePortEachWithItsHostPort()
    {
        Assert.Equal("80/tcp@:8000 81/tcp@:8001 82/tcp@:8002", Show(PortRequests.Parse("8000-8002:80-82")));
        Assert.Equal("80/udp@:any 81/udp@:any", Show(PortRequests.Parse("80-81/udp")));
        Assert.Equal("1/tcp@:any 2/tcp@:any", Show(PortRequests.Parse("1-2-3"))); // nat reads two parts of a range
    }

    [Fact]
    public void Parse_HostRangeForOneContainerPort_KeptAsTheRangeToChooseFrom()
    {
        Assert.Equal("80/tcp@:8000-8010", Show(PortRequests.Parse("8000-8010:80")));
        Assert.Equal("80/tcp@:0-10", Show(PortRequests.Parse("0-10:80")));
    }

    [Theory]
    [InlineData("target=80,published=8080", "8080:80/tcp", "80/tcp@:8080")]
    [InlineData("target=80,published=8080,protocol=udp", "8080:80/udp", "80/udp@:8080")]
    [InlineData("target=80", ":80/tcp", "80/tcp@:any")]
    [InlineData("target=80,host_ip=127.0.0.1,mode=host", ":80/tcp", "80/tcp@:any")] // Docker's CLI drops host_ip too
    [InlineData("target=80-81,published=8080-8081", "8080-8081:80-81/tcp", "80/tcp@:8080 81/tcp@:8081")]
    public void Normalize_LongForm_KeptInShortForm(string flag, string kept, string expected)
    {
        Assert.Equal(kept, PortRequests.Normalize(flag));
        Assert.Equal(expected, Show(PortRequests.Parse(kept)));
    }

    [Theory]
    [InlineData("abc", "invalid containerPort: abc")]
    [InlineData("99999", "invalid containerPort: 99999")]
    [InlineData("-1", "invalid containerPort: -1")]
    [InlineData("+80", "invalid containerPort: +80")]
    [InlineData(" 80", "invalid containerPort:  80")]
    [InlineData("85-80", "invalid containerPort: 85-80")]
    [InlineData("80-", "invalid containerPort: 80-")]
    [InlineData("abc/foo", "invalid containerPort: abc")]
    [InlineData("70000:80", "invalid hostPort: 70000")]
    [InlineData("10-0:80", "invalid hostPort: 10-0")]
    [InlineData("1.2.3.4:80", "invalid hostPort: 1.2.3.4")]
    [InlineData("8080:", "no port specified: 8080:<empty>")]
    [InlineData("", "no port specified: <empty>")]
    [InlineData("/tcp", "no port specified: /tcp<empty>")]
    [InlineData("::", "no port specified: ::<empty>")]
    [InlineData("80/foo", "invalid proto: foo")]
    [InlineData("80/FOO", "invalid proto: FOO")]
    [InlineData("8000-8010:80-85", "invalid ranges specified for container and host Ports: 80-85 and 8000-8010")]
    [InlineData("8000-8010:80-85/foo", "invalid ranges specified for container and host Ports: 80-85 and 8000-8010")]
    [InlineData("8080:80-81", "invalid ranges specified for container and host Ports: 80-81 and 8080")]
    [InlineData("host:8080:80", "invalid IP address: host")]
    [InlineData("localhost:80:80", "invalid IP address: localhost")]
    [InlineData("a:b:c:d", "invalid IP address: a:b")]
    [InlineData("256.1.1.1:80:80", "invalid IP address: 256.1.1.1")]
    [InlineData("01.2.3.4:80:80", "invalid IP address: 01.2.3.4")]
    [InlineData("127.1:80:80", "invalid IP address: 127.1")]
    [InlineData("1::2::3:80:80", "invalid IP address: 1::2::3")]
    [InlineData("[fe80::1%eth0]:80:80", "invalid IP address: fe80::1%eth0")]
    [InlineData("[::1]:80", "invalid IP address [:: address [::: missing ']' in address")]
    [InlineData("[::1]x:8080:80", "invalid IP address [::1]x: address [::1]x:: missing port in address")]
    [InlineData("[[::1]:8080:80", "invalid IP address [[::1]: address [[::1]:: unexpected '[' in address")]
    [InlineData("target=80,bogus", "invalid publish opts format (should be name=value but got 'bogus')")]
    [InlineData("target=80,", "invalid publish opts format (should be name=value but got '')")]
    [InlineData("published=80", "no port specified: 80:/tcp<empty>")]
    [InlineData("target=80=81", "invalid containerPort: 80=81")]
    public void Parse_BadValue_DockersMessageThenTheForm(string flag, string docker)
    {
        var e = Assert.Throws<InvalidInputException>(() => PortRequests.Normalize(flag));
        Assert.Equal(docker + " (-p takes [IP:][HOSTPORT[-END]:]PORT[-END][/tcp|udp|sctp])", e.Message);
    }

    [Theory]
    [InlineData("80", "80/tcp")]
    [InlineData("80/udp", "80/udp")]
    [InlineData("80-82/udp", "80/udp 81/udp 82/udp")]
    [InlineData("80/", "80/tcp")]
    [InlineData("80/TCP", "80/tcp")]
    public void ParseExpose_PortOrRange_EachPortsKey(string flag, string expected)
    {
        Assert.Equal(expected, string.Join(" ", PortRequests.ParseExpose(flag)));
        Assert.Equal(flag, PortRequests.NormalizeExpose(flag));
    }

    [Theory]
    [InlineData("8080:80", "invalid port format for --expose: 8080:80")]
    [InlineData("abc", "invalid range format for --expose: abc, error: strconv.ParseUint: parsing \"abc\": invalid syntax")]
    [InlineData("99999", "invalid range format for --expose: 99999, error: strconv.ParseUint: parsing \"99999\": value out of range")]
    [InlineData("", "invalid range format for --expose: , error: empty string specified for ports")]
    [InlineData("82-80", "invalid range format for --expose: 82-80, error: invalid range specified for port: 82-80")]
    [InlineData("80-", "invalid range format for --expose: 80-, error: strconv.ParseUint: parsing \"\": invalid syntax")]
    [InlineData("80/foo", "invalid proto: foo")] // Docker keeps it until the port is published
    public void ParseExpose_BadValue_DockersMessageThenTheForm(string flag, string docker)
    {
        var e = Assert.Throws<InvalidInputException>(() => PortRequests.NormalizeExpose(flag));
        Assert.Equal(docker + " (--expose takes PORT[-END][/tcp|udp|sctp])", e.Message);
    }

    [Fact]
    public void ParseImageExposed_NotAPort_SaysTheImageIsWrong()
    {
        Assert.Equal(["8080/tcp"], PortRequests.ParseImageExposed("8080/tcp"));
        var e = Assert.Throws<InvalidInputException>(() => PortRequests.ParseImageExposed("http"));
        Assert.StartsWith("the image exposes \"http\"", e.Message);
    }

    [Fact]
    public void Warning_PublishOnHostNetwork_DockersWarningOnlyThen()
    {
        Assert.Equal("Published ports are discarded when using host network mode", PortRequests.Warning(hostNetwork: true, ["8080:80"]));
        Assert.Null(PortRequests.Warning(hostNetwork: true, []));
        Assert.Null(PortRequests.Warning(hostNetwork: false, ["8080:80"]));
    }

    [Fact]
    public void ExposedPorts_ImageConfig_KeysRead_AndTheConfigWrittenBackWhole()
    {
        const string json = """{"config":{"Cmd":["sh"],"ExposedPorts":{"80/tcp":{},"53/udp":{}}},"rootfs":{"type":"layers","diff_ids":[]}}""";
        ImageConfig config = ImageJson.ParseConfig(System.Text.Encoding.UTF8.GetBytes(json), "test");
        Assert.Equal(["80/tcp", "53/udp"], config.Config!.ExposedPortKeys);
        string written = JsonSerializer.Serialize(config, ImagesJsonContext.Default.ImageConfig);
        Assert.Contains("\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}}", written);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(written, "ExposedPorts"));
        Assert.Empty(new ContainerConfig().ExposedPortKeys);
    }
}
