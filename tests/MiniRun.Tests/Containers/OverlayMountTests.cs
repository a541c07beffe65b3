using MiniRun.Explain;
using MiniRun.Native;
using MiniRun.Containers;

namespace MiniRun.Tests.Containers;

public class OverlayMountTests
{
    [Fact]
    public void Build_LowerDirs_AreJoinedTopFirstWithUpperAndWork()
    {
        var mount = OverlayMount.Build(["containers/c1/init", "l/TOP", "l/BOTTOM"], "containers/c1/diff", "containers/c1/work", "/store/containers/c1/merged");

        Assert.Equal("overlay", mount.Type);
        Assert.Equal("/store/containers/c1/merged", mount.Target);
        Assert.Equal("lowerdir=containers/c1/init:l/TOP:l/BOTTOM,upperdir=containers/c1/diff,workdir=containers/c1/work", mount.Data);
        Assert.Equal("mount -t overlay overlay -o lowerdir=containers/c1/init:l/TOP:l/BOTTOM,upperdir=containers/c1/diff,workdir=containers/c1/work /store/containers/c1/merged",
            mount.ToShellCommand());
    }

    [Fact]
    public void Build_128ShortLinks_FitInOnePage()
    {
        string container = "containers/" + new string('a', 64);
        var lower = new List<string> { container + "/init" };
        lower.AddRange(Enumerable.Range(0, 128).Select(i => "l/" + i.ToString().PadLeft(26, 'X')));

        var mount = OverlayMount.Build(lower, container + "/diff", container + "/work", "/m");

        Assert.True(mount.Data!.Length <= OverlayMount.MaxOptionsLength);
    }

    [Fact]
    public void Build_TooManyLayers_IsAClearError()
    {
        var lower = Enumerable.Range(0, 200).Select(i => "l/" + i.ToString().PadLeft(26, 'X')).ToList();

        var error = Assert.Throws<MiniRunException>(() => OverlayMount.Build(lower, "u", "w", "/m"));
        Assert.Contains("too many layers", error.Message);
    }

    [Theory]
    [InlineData("/abs/path")]
    [InlineData("l/with,comma")]
    [InlineData("l/with:colon")]
    public void Build_PathsThatWouldBreakTheOptions_AreRefused(string lower)
    {
        Assert.Throws<ArgumentException>(() => OverlayMount.Build([lower], "u", "w", "/m"));
    }
}
