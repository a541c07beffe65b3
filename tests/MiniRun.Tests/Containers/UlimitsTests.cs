using MiniRun.Containers;

namespace MiniRun.Tests.Containers;

/// <summary>--ulimit checked against the rootless process's own hard limits, read from a /proc/self/limits text.</summary>
public class UlimitsTests
{
    private const string Limits =
        "Limit                     Soft Limit           Hard Limit           Units     \n" +
        "Max core file size        0                    unlimited            bytes     \n" +
        "Max processes             96362                96362                processes \n" +
        "Max open files            1024                 20000                files     \n";

    [Fact]
    public void CheckWithinOwnLimits_HardAboveOwn_IsRefusedNamingOwnLimit()
    {
        var e = Assert.Throws<MiniRunException>(() => Ulimits.CheckWithinOwnLimits("nofile=20001:20001", Limits));

        Assert.Equal("--ulimit nofile=20001:20001: the hard limit is above your own (20000), which a rootless container cannot raise " +
                     "(that needs CAP_SYS_RESOURCE on the host); use at most 20000, or run as root", e.Message);
        Assert.Throws<MiniRunException>(() => Ulimits.CheckWithinOwnLimits("nproc=-1:-1", Limits)); // unlimited is above 96362
    }

    [Fact]
    public void CheckWithinOwnLimits_WithinOwnOrOwnUnlimited_Passes()
    {
        Ulimits.CheckWithinOwnLimits("nofile=20000:20000", Limits);
        Ulimits.CheckWithinOwnLimits("nofile=512:1024", Limits);
        Ulimits.CheckWithinOwnLimits("core=-1:-1", Limits);
        Ulimits.CheckWithinOwnLimits("stack=1:1", Limits); // a row the text lacks: left to setrlimit
    }
}
