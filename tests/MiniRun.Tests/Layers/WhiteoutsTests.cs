using MiniRun.Layers;

namespace MiniRun.Tests.Layers;

public class WhiteoutsTests
{
    [Theory]
    [InlineData("passwd", WhiteoutKind.None, "")]
    [InlineData(".wh.passwd", WhiteoutKind.Whiteout, "passwd")]
    [InlineData(".wh..hidden", WhiteoutKind.Whiteout, ".hidden")]
    [InlineData(".wh..wh..opq", WhiteoutKind.Opaque, "")]
    [InlineData(".wh..wh.plnk", WhiteoutKind.AufsMetadata, "")]
    [InlineData(".wh..wh.aufs", WhiteoutKind.AufsMetadata, "")]
    [InlineData("x.wh.y", WhiteoutKind.None, "")]
    public void Classify_FileName_GivesKindAndHiddenName(string fileName, WhiteoutKind kind, string hidden)
    {
        Assert.Equal(kind, Whiteouts.Classify(fileName, out string actualHidden));
        Assert.Equal(hidden, actualHidden);
    }

    [Theory]
    [InlineData(".wh...")]
    [InlineData(".wh..")]
    [InlineData(".wh.")]
    public void IsValidHiddenName_DotOrEmpty_IsFalse(string fileName)
    {
        Assert.Equal(WhiteoutKind.Whiteout, Whiteouts.Classify(fileName, out string hidden));
        Assert.False(Whiteouts.IsValidHiddenName(hidden));
    }
}
