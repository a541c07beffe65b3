using MiniRun.Containers;
using MiniRun.Explain;
using MiniRun.Native;

namespace MiniRun.Tests.Containers;

/// <summary>
/// A container's /etc/hosts and /etc/resolv.conf are bind mounts of files in its directory: a rewrite must go through
/// the same inode (the mount pins it), never a new file renamed over it, and must not follow a symlink.
/// </summary>
public class NetworkFilesTests : IDisposable
{
    private readonly TempDirectory _dir = new("minirun-network-files");
    private readonly ISyscalls _sys = LinuxSyscalls.Instance;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RewriteInPlace_ExistingFile_SameInode_NewContentOnly()
    {
        string hosts = _dir.Combine("hosts");
        NetworkFiles.Create(_sys, hosts, "127.0.0.1\tlocalhost\n10.88.0.2\tdb\n10.88.0.3\tcache\n");
        ulong inode = Syscalls.LStat(hosts).Inode;

        NetworkFiles.RewriteInPlace(_sys, hosts, "127.0.0.1\tlocalhost\n");

        Assert.Equal(inode, Syscalls.LStat(hosts).Inode);
        Assert.Equal("127.0.0.1\tlocalhost\n", File.ReadAllText(hosts)); // truncated: nothing of the longer old text left
        Assert.Equal(0x1a4u, Syscalls.LStat(hosts).Permissions);
        Assert.Single(Directory.GetFiles(_dir.Path)); // no temporary file beside it
    }

    [RootFact]
    public void RewriteInPlace_FileBindMountedElsewhere_TheMountSeesTheNewContent()
    {
        string hosts = _dir.Combine("hosts"), target = _dir.Combine("etc-hosts");
        NetworkFiles.Create(_sys, hosts, "before\n");
        File.WriteAllText(target, "");
        Syscalls.Mount(hosts, target, null, MountFlags.Bind, null);
        try
        {
            NetworkFiles.RewriteInPlace(_sys, hosts, "after\n");

            Assert.Equal("after\n", File.ReadAllText(target));
        }
        finally
        {
            Syscalls.TryUnmount(target, UnmountFlags.Detach);
        }
    }

    [Fact]
    public void RewriteInPlace_Symlink_IsRefused_ItsTargetUntouched()
    {
        string outside = _dir.Combine("outside"), link = _dir.Combine("hosts");
        File.WriteAllText(outside, "keep\n");
        File.CreateSymbolicLink(link, outside);

        var e = Assert.Throws<NativeException>(() => NetworkFiles.RewriteInPlace(_sys, link, "x\n"));

        Assert.Equal(Errnos.ELOOP, e.Errno);
        Assert.Equal("keep\n", File.ReadAllText(outside));
    }

    [Fact]
    public void RewriteInPlace_Missing_IsRefused_NothingMade()
    {
        string hosts = _dir.Combine("hosts");

        var e = Assert.Throws<NativeException>(() => NetworkFiles.RewriteInPlace(_sys, hosts, "x\n"));

        Assert.Equal(Errnos.ENOENT, e.Errno);
        Assert.False(File.Exists(hosts));
    }

    [Fact]
    public void RewriteInPlace_Fifo_IsRefused_WithoutBlocking()
    {
        string fifo = _dir.Combine("hosts");
        Syscalls.MakeNode(fifo, Syscalls.S_IFIFO | 0x1a4);

        var e = Assert.Throws<NativeException>(() => NetworkFiles.RewriteInPlace(_sys, fifo, "x\n"));

        Assert.Equal(6, e.Errno); // ENXIO (open(2), O_NONBLOCK): a FIFO with no reader, where a plain open would wait
    }

    [Fact]
    public void RewriteInPlace_DryRun_PrintsAShellRewriteThroughTheSameInode()
    {
        var text = new StringWriter();
        var sys = new DryRunSyscalls(text, new RecordingSyscalls());

        NetworkFiles.RewriteInPlace(sys, "/c/hosts", "127.0.0.1\tlocalhost\n10.88.0.2\tdb\n");
        NetworkFiles.RewriteInPlace(sys, "/c/hostname", "web\n");

        Assert.Contains("cat > /c/hosts <<'EOF'\n127.0.0.1\tlocalhost\n10.88.0.2\tdb\nEOF", text.ToString());
        Assert.Contains("printf %s $'web\\n' > /c/hostname", text.ToString());
        Assert.DoesNotContain("mv ", text.ToString());
    }

    [Fact]
    public void Hostname_IsTheNameAndANewline()
    {
        Assert.Equal("web\n", NetworkFiles.Hostname("web"));
    }
}
