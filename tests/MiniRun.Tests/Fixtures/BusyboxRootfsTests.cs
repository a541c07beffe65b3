using System.Security.Cryptography;
using MiniRun.Fixtures;

namespace MiniRun.Tests.Fixtures;

/// <summary>The one busybox rootfs generator, behind both the tests and the default image.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BusyboxRootfsTests
{
    [Fact]
    public void Generate_TwoRuns_GiveByteIdenticalLayerTars()
    {
        using var tmp = new TempDirectory();
        string first = BusyboxRootfs.PackLayer(BusyboxRootfs.CreateIn(tmp.Combine("a")), tmp.Combine("a.tar"));
        string second = BusyboxRootfs.PackLayer(BusyboxRootfs.CreateIn(tmp.Combine("b")), tmp.Combine("b.tar"));

        Assert.Equal(Sha256(first), Sha256(second));
    }

    [Fact]
    public void Directory_HasAppletLinksAccountsAndOsRelease()
    {
        string root = BusyboxRootfs.Directory;

        Assert.Equal("/bin/busybox", new FileInfo(Path.Combine(root, "bin/sh")).LinkTarget);
        Assert.Equal("/bin/busybox", new FileInfo(Path.Combine(root, "usr/bin/awk")).LinkTarget);
        Assert.False(File.Exists(Path.Combine(root, "linuxrc")));
        Assert.Contains("user:x:1000:1000:", File.ReadAllText(Path.Combine(root, "etc/passwd")));
        Assert.Contains("nobody:x:65534:", File.ReadAllText(Path.Combine(root, "etc/passwd")));
        Assert.Contains("NAME=minibox", File.ReadAllLines(Path.Combine(root, "etc/os-release")));
        Assert.True(File.GetUnixFileMode(Path.Combine(root, "tmp")).HasFlag(UnixFileMode.StickyBit));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.Combine(root, "root")));
    }

    [Fact]
    public void LayerTar_IsCachedForTheWholeRun()
    {
        Assert.Same(BusyboxRootfs.LayerTar, BusyboxRootfs.LayerTar);
        Assert.True(new FileInfo(BusyboxRootfs.LayerTar).Length > 1_000_000);   // busybox itself is ~2 MB
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
