using MiniRun.Networking;

namespace MiniRun.Tests.Networking;

public sealed class SubnetChooserTests
{
    private static Ipv4Subnet S(string cidr) => Ipv4Subnet.Parse(cidr);

    [Fact]
    public void Choose_NothingInUse_Is17218()
    {
        Assert.Equal("172.18.0.0/16", SubnetChooser.Choose([]).ToString());
    }

    [Fact]
    public void Choose_OtherNetworkAndRoute_SkipsBoth()
    {
        Assert.Equal("172.20.0.0/16", SubnetChooser.Choose([S("172.18.0.0/16"), S("172.19.5.0/24")]).ToString());
    }

    [Fact]
    public void Choose_All172Taken_Takes192168In20s()
    {
        Assert.Equal("192.168.16.0/20", SubnetChooser.Choose([S("172.16.0.0/12"), S("192.168.1.0/24")]).ToString());
    }

    [Fact]
    public void Choose_EveryPoolTaken_SaysGiveSubnet()
    {
        var e = Assert.Throws<MiniRunException>(() => SubnetChooser.Choose([S("172.16.0.0/12"), S("192.168.0.0/16")]));
        Assert.Contains("--subnet", e.Message);
    }

    [Theory]
    [InlineData("10.0.0.1/24")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0/8")]
    [InlineData("::1/64")]
    public void Parse_NotASubnet_IsRefused(string cidr)
    {
        Assert.Throws<InvalidInputException>(() => Ipv4Subnet.Parse(cidr));
    }

    [Fact]
    public void Overlaps_ContainedAndDisjoint_AreTold()
    {
        Assert.True(S("10.0.0.0/8").Overlaps(S("10.1.0.0/16")));
        Assert.True(S("10.1.0.0/16").Overlaps(S("10.0.0.0/8")));
        Assert.False(S("10.1.0.0/16").Overlaps(S("10.2.0.0/16")));
    }

    [Fact]
    public void HostRoutes_ProcNetRoute_AreParsedWithoutDefault()
    {
        const string table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
            "eth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
            "eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n" +
            "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
        Assert.Equal(["192.168.1.0/24", "172.17.0.0/16"], HostRoutes.Parse(table).Select(s => s.ToString()));
    }
}
