using MiniRun.Rootless;

namespace MiniRun.Tests.Rootless;

public class SubordinateIdsTests
{
    private const string File = "# subuid(5)\nalice:100000:65536\nbob:165536:65536\n1001:231072:65536\nalice:300000:10\n";

    [Fact]
    public void FirstRange_ByName_IsTheUsersFirstLine()
    {
        Assert.Equal(new SubordinateRange(100000, 65536), SubordinateIds.FirstRange(File, "alice", 1000));
    }

    [Fact]
    public void FirstRange_ByNumericId_IsFound()
    {
        Assert.Equal(new SubordinateRange(231072, 65536), SubordinateIds.FirstRange(File, "carol", 1001));
    }

    [Fact]
    public void FirstRange_UnknownUser_IsNull()
    {
        Assert.Null(SubordinateIds.FirstRange(File, "dave", 1002));
    }

    [Fact]
    public void FirstRange_MalformedOrEmptyLines_AreSkipped()
    {
        Assert.Equal(new SubordinateRange(5, 7), SubordinateIds.FirstRange("alice:x:1\nalice:1:0\nalice:1\n\nalice:5:7\n", "alice", 1000));
    }

    [Fact]
    public void UserName_OfUid_IsThePasswdName()
    {
        Assert.Equal("bob", SubordinateIds.UserName("root:x:0:0::/root:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\n", 1001));
        Assert.Null(SubordinateIds.UserName("root:x:0:0::/root:/bin/sh\n", 1001));
    }

    [Theory]
    [InlineData("5.10.0-28-amd64", false)]
    [InlineData("5.11.0", true)]
    [InlineData("6.18.44-fc-v1045", true)]
    public void KernelProblem_Before511_IsNamed(string release, bool fine)
    {
        Assert.Equal(fine, RootlessLauncher.KernelProblem(release) is null);
    }

    [Fact]
    public void HelperArguments_MapRootToTheUserAndOneOnToTheRange()
    {
        Assert.Equal(["0", "1000", "1", "1", "100000", "65536"], RootlessIdMaps.HelperArguments(1000, new SubordinateRange(100000, 65536)));
    }
}
