using MiniRun.Containers;
using MiniRun.Native;

namespace MiniRun.Tests.HostReads;

/// <summary>Paths resolved inside a root as the container would resolve them: symlinks and ".." never leave it.</summary>
public class InRootResolverTests : IDisposable
{
    private readonly TempDirectory _root = new("minirun-in-root");
    private readonly TempDirectory _host = new("minirun-in-root-host");

    public InRootResolverTests() => Directory.CreateDirectory(_root.Combine("etc"));

    public void Dispose()
    {
        _root.Dispose();
        _host.Dispose();
    }

    private string HostPasswd()
    {
        string path = _host.Combine("passwd");
        File.WriteAllText(path, "secretuser:x:4242:4242::/secret:/bin/sh\n");
        return path;
    }

    [Fact]
    public void Resolve_PasswdSymlinkedToAHostPath_ReadsThatPathInsideTheRootOnly()
    {
        string hostPasswd = HostPasswd();
        File.CreateSymbolicLink(_root.Combine("etc", "passwd"), hostPasswd);

        Assert.Throws<MiniRunException>(() => ContainerUser.Resolve(_root.Path, "secretuser"));

        // The same absolute path inside the root is what the container sees there, and what is read.
        string inside = _root.Path + hostPasswd;
        Directory.CreateDirectory(Path.GetDirectoryName(inside)!);
        File.WriteAllText(inside, "secretuser:x:5000:5000::/home/inside:/bin/sh\n");
        Assert.Equal(5000u, ContainerUser.Resolve(_root.Path, "secretuser").Uid);
    }

    [Fact]
    public void Resolve_PasswdSymlinkClimbingWithDotDot_StopsAtTheRoot()
    {
        string hostPasswd = HostPasswd();
        File.CreateSymbolicLink(_root.Combine("etc", "passwd"), string.Concat(Enumerable.Repeat("../", 20)) + hostPasswd.TrimStart('/'));

        Assert.Throws<MiniRunException>(() => ContainerUser.Resolve(_root.Path, "secretuser"));
    }

    [Fact]
    public void Resolve_PasswdSymlinkedInsideTheImage_IsFollowedAsInTheContainer()
    {
        File.WriteAllText(_root.Combine("etc", "passwd.real"), "app:x:1234:1234::/app:/bin/sh\n");
        File.CreateSymbolicLink(_root.Combine("etc", "passwd"), "/etc/passwd.real");

        Assert.Equal(1234u, ContainerUser.Resolve(_root.Path, "app").Uid);
    }

    [Fact]
    public void Resolve_PasswdThatIsAFifo_IsNotOpened()
    {
        Syscalls.MakeNode(_root.Combine("etc", "passwd"), Syscalls.S_IFIFO | 0x1a4); // an open for reading would wait for a writer

        Assert.Throws<MiniRunException>(() => ContainerUser.Resolve(_root.Path, "root"));
        Assert.Equal(0u, ContainerUser.Resolve(_root.Path, "0").Uid);
    }

    [Fact]
    public void TryOpenEntry_PathThroughASymlink_IsNotThere()
    {
        Directory.CreateDirectory(_host.Combine("dir"));
        File.WriteAllText(_host.Combine("dir", "file"), "host");
        File.CreateSymbolicLink(_root.Combine("link"), _host.Combine("dir"));
        using InRootResolver root = InRootResolver.Open(_root.Path);

        Assert.Null(root.TryOpenEntry("/link/file"));
        using PathHandle? link = root.TryOpenEntry("/link");
        Assert.True(link!.Status().IsSymlink);
        Assert.Equal(_host.Combine("dir"), link.ReadLink());
    }
}
