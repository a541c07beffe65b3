using MiniRun.Layers;

namespace MiniRun.Tests.Layers;

public class SafePathTests
{
    [Theory]
    [InlineData("usr/bin/env", "usr/bin/env")]
    [InlineData("./usr/bin/", "usr/bin")]
    [InlineData("a//b/./c", "a/b/c")]
    [InlineData("a/../b", "b")]
    [InlineData("a/b/../../c", "c")]
    [InlineData("./", "")]
    [InlineData(".", "")]
    [InlineData("..a/b..", "..a/b..")]
    public void TryNormalize_SafeName_IsCleaned(string name, string expected)
    {
        Assert.True(SafePath.TryNormalize(name, out string relative, out _));
        Assert.Equal(expected, relative);
    }

    // Docker cleans a name inside its chroot of the layer: a leading "/" and a ".." above the root stay at the root.
    [Theory]
    [InlineData("../evil", "evil")]
    [InlineData("a/../../evil", "evil")]
    [InlineData("../../etc/x", "etc/x")]
    [InlineData("./..", "")]
    [InlineData("/evil", "evil")]
    [InlineData("/../tmp/x/", "tmp/x")]
    [InlineData("/", "")]
    public void TryNormalize_NameAboveTheRoot_StaysAtTheRoot(string name, string expected)
    {
        Assert.True(SafePath.TryNormalize(name, out string relative, out _));
        Assert.Equal(expected, relative);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a\0b", "NUL")]
    public void TryNormalize_NoName_IsRefusedWithReason(string name, string reason)
    {
        Assert.False(SafePath.TryNormalize(name, out _, out string problem));
        Assert.Contains(reason, problem);
    }

    [Fact]
    public void ParentAndFileName_SplitAtLastSlash()
    {
        Assert.Equal(("a/b", "c"), (SafePath.Parent("a/b/c"), SafePath.FileName("a/b/c")));
        Assert.Equal(("", "c"), (SafePath.Parent("c"), SafePath.FileName("c")));
    }
}
