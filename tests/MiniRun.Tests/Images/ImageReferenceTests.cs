using MiniRun.Images;

namespace MiniRun.Tests.Images;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("alpine", "docker.io/library/alpine:latest", "alpine:latest", "alpine")]
    [InlineData("alpine:3.20", "docker.io/library/alpine:3.20", "alpine:3.20", "alpine")]
    [InlineData("library/alpine", "docker.io/library/alpine:latest", "alpine:latest", "alpine")]
    [InlineData("docker.io/alpine", "docker.io/library/alpine:latest", "alpine:latest", "alpine")]
    [InlineData("index.docker.io/library/alpine:edge", "docker.io/library/alpine:edge", "alpine:edge", "alpine")]
    [InlineData("user/app", "docker.io/user/app:latest", "user/app:latest", "user/app")]
    [InlineData("user/app:v1.2-rc_3", "docker.io/user/app:v1.2-rc_3", "user/app:v1.2-rc_3", "user/app")]
    [InlineData("localhost/app", "localhost/app:latest", "localhost/app:latest", "localhost/app")]
    [InlineData("localhost:5000/team/app:1", "localhost:5000/team/app:1", "localhost:5000/team/app:1", "localhost:5000/team/app")]
    [InlineData("registry.example:443/a/b/c", "registry.example:443/a/b/c:latest", "registry.example:443/a/b/c:latest", "registry.example:443/a/b/c")]
    [InlineData("Example.com/app", "Example.com/app:latest", "Example.com/app:latest", "Example.com/app")]
    [InlineData("a__b/c-d.e--f", "docker.io/a__b/c-d.e--f:latest", "a__b/c-d.e--f:latest", "a__b/c-d.e--f")]
    [InlineData("[::1]:5000/app:x", "[::1]:5000/app:x", "[::1]:5000/app:x", "[::1]:5000/app")]
    public void Parse_ValidReference_Normalises(string input, string full, string familiar, string familiarRepository)
    {
        ImageReference reference = ImageReference.Parse(input);
        Assert.Equal(full, reference.ToString());
        Assert.Equal(familiar, reference.FamiliarString);
        Assert.Equal(familiarRepository, reference.FamiliarRepository);
    }

    [Fact]
    public void Parse_DigestReference_KeepsDigestAndAddsNoTag()
    {
        string digest = "sha256:" + new string('a', 64);
        ImageReference reference = ImageReference.Parse("alpine@" + digest);
        Assert.Null(reference.Tag);
        Assert.Equal(digest, reference.Digest.ToString());
        Assert.Equal("docker.io/library/alpine@" + digest, reference.ToString());
        Assert.Equal("alpine@" + digest, reference.FamiliarString);
        Assert.False(reference.IsTagged);
    }

    [Fact]
    public void Parse_TagAndDigest_KeepsBoth()
    {
        string digest = "sha256:" + new string('b', 64);
        ImageReference reference = ImageReference.Parse("host:1/x:v1@" + digest);
        Assert.Equal("v1", reference.Tag);
        Assert.Equal($"host:1/x:v1@{digest}", reference.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("Alpine")]
    [InlineData("user/App")]
    [InlineData("alpine:")]
    [InlineData(":latest")]
    [InlineData("alpine:-bad")]
    [InlineData("alpine::x")]
    [InlineData("a b")]
    [InlineData("-alpine")]
    [InlineData("alpine-")]
    [InlineData("a..b")]
    [InlineData("a/")]
    [InlineData("/a")]
    [InlineData("a//b")]
    [InlineData("-host.com/a")]
    [InlineData("alpine@sha256:abc")]
    [InlineData("alpine@md5:0123456789abcdef0123456789abcdef")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Parse_InvalidReference_ThrowsOneLineInvalidInput(string input)
    {
        var e = Assert.Throws<InvalidInputException>(() => ImageReference.Parse(input));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("invalid image reference", e.Message);
    }

    [Fact]
    public void Parse_TagTooLong_IsRefused()
    {
        Assert.Throws<InvalidInputException>(() => ImageReference.Parse("a:" + new string('t', 129)));
        Assert.Equal(new string('t', 128), ImageReference.Parse("a:" + new string('t', 128)).Tag);
    }

    [Fact]
    public void Parse_NameLongerThan255_IsRefused() =>
        Assert.Throws<InvalidInputException>(() => ImageReference.Parse("host.example/" + new string('a', 250)));

    [Fact]
    public void TryParse_Invalid_ReturnsFalse() => Assert.False(ImageReference.TryParse("UPPER", out _));
}
