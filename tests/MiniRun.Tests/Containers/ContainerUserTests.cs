using MiniRun.Containers;

namespace MiniRun.Tests.Containers;

public class ContainerUserTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public ContainerUserTests()
    {
        Directory.CreateDirectory(_root.Combine("etc"));
        File.WriteAllText(_root.Combine("etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n");
        File.WriteAllText(_root.Combine("etc", "group"), "root:x:0:\nuser:x:1000:\nwheel:x:10:user,root\naudio:x:29:user\n");
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Resolve_Name_GivesUidGidHomeAndSupplementaryGroups()
    {
        var user = ContainerUser.Resolve(_root.Path, "user");

        Assert.Equal((1000u, 1000u, "/home/user"), (user.Uid, user.Gid, user.Home));
        Assert.Equal([1000u, 10u, 29u], user.Groups); // the primary group first, as Docker's setgroups has it
    }

    [Fact]
    public void Resolve_NumericUnknownUid_GetsGroupZeroAndSlashHome()
    {
        var user = ContainerUser.Resolve(_root.Path, "4242");

        Assert.Equal((4242u, 0u, "/"), (user.Uid, user.Gid, user.Home));
        Assert.Equal([0u], user.Groups);
    }

    [Fact]
    public void Resolve_ExplicitGroup_IsTheOnlySupplementaryGroup()
    {
        Assert.Equal([10u], ContainerUser.Resolve(_root.Path, "user:wheel").Groups);
        Assert.Equal([7u], ContainerUser.Resolve(_root.Path, "0:7").Groups);
    }

    [Fact]
    public void Resolve_UserAndGroupByName_TakesTheGroup()
    {
        Assert.Equal(10u, ContainerUser.Resolve(_root.Path, "user:wheel").Gid);
        Assert.Equal(7u, ContainerUser.Resolve(_root.Path, "0:7").Gid);
    }

    [Fact]
    public void Resolve_UnknownName_IsAClearError()
    {
        var error = Assert.Throws<MiniRunException>(() => ContainerUser.Resolve(_root.Path, "nobody-here"));
        Assert.Equal("unable to find user nobody-here: no matching entries in passwd file", error.Message);
    }

    [Fact]
    public void Resolve_PasswdThatIsASymlink_IsNotFollowed()
    {
        File.Delete(_root.Combine("etc", "passwd"));
        File.CreateSymbolicLink(_root.Combine("etc", "passwd"), "/etc/passwd");

        Assert.Throws<MiniRunException>(() => ContainerUser.Resolve(_root.Path, "root"));
    }
}
