namespace MiniRun.Tests.Images;

public class DigestTests
{
    private static readonly string Hex = string.Concat(Enumerable.Repeat("0123456789abcdef", 4));

    [Fact]
    public void TryParse_Sha256_GivesAlgorithmAndHex()
    {
        Assert.True(Digest.TryParse("sha256:" + Hex, out Digest digest));

        Assert.Equal(("sha256", Hex), (digest.Algorithm, digest.Hex));
        Assert.Equal("sha256:" + Hex, digest.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256:")]
    [InlineData("sha512:0123")]
    [InlineData("SHA256:{0}")]
    [InlineData("sha256:{0}\n")]
    [InlineData("sha256:{0}0")]
    [InlineData(" sha256:{0}")]
    [InlineData("{0}")]
    public void TryParse_Malformed_IsRefused(string? text)
    {
        string? input = text?.Replace("{0}", Hex);
        Assert.False(Digest.TryParse(input, out _));
        Assert.False(Digest.TryParse("sha256:" + Hex.ToUpperInvariant(), out _));
        Assert.False(Digest.TryParse("sha256:" + Hex[..63] + "g", out _));
        if (input is not null) Assert.Throws<InvalidInputException>(() => Digest.Parse(input, "here"));
    }
}
