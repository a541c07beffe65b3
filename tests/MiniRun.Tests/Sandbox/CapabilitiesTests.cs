using MiniRun.Sandbox;

namespace MiniRun.Tests.Sandbox;

public class CapabilitiesTests
{
    private const int LastCap = 40;

    [Fact]
    public void Compute_Defaults_AreDockersCapEff()
    {
        Assert.Equal(0xa80425fbUL, Capabilities.Compute([], [], privileged: false, LastCap));
    }

    [Fact]
    public void Compute_Privileged_IsEveryCapabilityOfTheKernel()
    {
        Assert.Equal(0x1ffffffffffUL, Capabilities.Compute([], ["ALL"], privileged: true, LastCap));
    }

    [Fact]
    public void Compute_DropAllAddOne_IsOnlyThatOne()
    {
        Assert.Equal(1UL << 12, Capabilities.Compute(["NET_ADMIN"], ["ALL"], privileged: false, LastCap));
    }

    [Fact]
    public void Compute_AddAllDropOne_IsAllButThatOne()
    {
        Assert.Equal(0x1ffffffffffUL & ~1UL, Capabilities.Compute(["all"], ["CAP_CHOWN"], privileged: false, LastCap));
    }

    [Fact]
    public void Compute_AddAndDropTheSame_KeepsIt()
    {
        ulong set = Capabilities.Compute(["SYS_ADMIN"], ["sys_admin", "NET_RAW"], privileged: false, LastCap);

        Assert.Equal((0xa80425fbUL & ~(1UL << 13)) | 1UL << 21, set);
    }

    [Fact]
    public void Compute_OlderKernel_NeverSetsUnknownBits()
    {
        Assert.Equal((1UL << 38) - 1, Capabilities.Compute(["ALL"], [], privileged: false, lastCapability: 37));
    }

    [Theory]
    [InlineData("NET_ADMIN", 12)]
    [InlineData("cap_net_admin", 12)]
    [InlineData("CHECKPOINT_RESTORE", 40)]
    public void Parse_Name_GivesItsNumber(string name, int number)
    {
        Assert.Equal(number, Capabilities.Parse(name));
    }

    [Fact]
    public void Parse_UnknownName_IsRefusedWithOneLine()
    {
        var e = Assert.Throws<MiniRunException>(() => Capabilities.Parse("NET_WIZARD"));
        Assert.Contains("NET_WIZARD", e.Message);
    }

    [Fact]
    public void Describe_Defaults_ListsDockersFourteen()
    {
        Assert.Equal(14, Capabilities.Describe(0xa80425fbUL).Count);
        Assert.Contains("CAP_AUDIT_WRITE", Capabilities.Describe(0xa80425fbUL));
    }

    [Fact]
    public void ForContainer_Privileged_IsLimitedToWhatMiniRunHolds()
    {
        ulong held = 0x1fffeffffffUL; // no CAP_SYS_RESOURCE

        Assert.Equal(held, Capabilities.ForContainer([], [], privileged: true, LastCap, held));
    }

    [Fact]
    public void ForContainer_AddingACapabilityMiniRunLacks_IsRefused()
    {
        var e = Assert.Throws<MiniRunException>(() => Capabilities.ForContainer(["SYS_RESOURCE"], [], privileged: false, LastCap, 0x1fffeffffffUL));

        Assert.Contains("CAP_SYS_RESOURCE", e.Message);
    }
}
