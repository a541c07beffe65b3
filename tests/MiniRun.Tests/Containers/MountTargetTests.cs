namespace MiniRun.Tests.Containers;

/// <summary>
/// The class of runc's 2025 advisories (CVE-2025-31133, -52565, -52881): a root whose mount targets are symlinks must
/// not take a mount, or a file made for one, to the host. An image decides what its /dev, /proc and /sys are; here they
/// are links to a host directory, stacked on the image with --layer.
/// </summary>
public class MountTargetTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    [RootTheory]
    [InlineData("dev")]
    [InlineData("proc")]
    [InlineData("sys")]
    public void Run_MountTargetIsASymlinkToTheHost_IsRefusedAndTouchesNothingThere(string target)
    {
        using var scratch = new TempDirectory("minirun-mount-target");
        string host = scratch.Combine("host-dir");
        Directory.CreateDirectory(host);
        File.WriteAllText(Path.Combine(host, "keep"), "host file");
        string layer = scratch.Combine("layer");
        Directory.CreateDirectory(layer);
        File.CreateSymbolicLink(Path.Combine(layer, target), host);

        MiniRunCli.Result result = fixture.Cli.Run("run", "--rm", "--layer", layer, fixture.Image, "sh", "-c", "ls /dev /proc /sys");

        Assert.Equal(125, result.ExitCode);
        Assert.Contains($"the image's /{target} is a symbolic link", result.Stderr);
        Assert.Equal(["keep"], Directory.GetFileSystemEntries(host).Select(Path.GetFileName));
        Assert.Equal("host file", File.ReadAllText(Path.Combine(host, "keep")));
        Assert.DoesNotContain(host, File.ReadAllText("/proc/self/mountinfo"));
    }
}
