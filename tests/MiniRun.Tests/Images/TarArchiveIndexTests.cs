using System.Formats.Tar;
using System.Text;
using MiniRun.Images;

namespace MiniRun.Tests.Images;

public sealed class TarArchiveIndexTests
{
    [Theory]
    [InlineData("abc", "../def/layer.tar", "def/layer.tar")]
    [InlineData("abc", "./layer.tar", "abc/layer.tar")]
    [InlineData("", "/x/y", "x/y")]
    [InlineData("abc", "../../etc/passwd", null)]
    public void ResolveLink_StaysInsideTheArchive(string directory, string target, string? expected) =>
        Assert.Equal(expected, TarArchiveIndex.ResolveLink(directory, target));

    [Fact]
    public void Open_MemberAndSymlinkToIt_ReadTheSameBytesInPlace()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("a.tar");
        using (var writer = new TarWriter(File.Create(path), TarEntryFormat.Pax))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "one/"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./one/layer.tar") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes("content")) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "two/layer.tar") { LinkName = "../one/layer.tar" });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "evil") { LinkName = "../../etc/passwd" });
        }
        using var index = new TarArchiveIndex(path);
        Assert.Equal(7, index.Length("one/layer.tar"));
        using (var reader = new StreamReader(index.Open("two/layer.tar"))) Assert.Equal("content", reader.ReadToEnd());
        Assert.False(index.Contains("evil"));
        Assert.False(index.Contains("one"));
        Assert.Throws<InvalidInputException>(() => index.Open("missing"));
    }

    [Fact]
    public void Open_NotATar_IsInvalidInput()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("junk.tar");
        File.WriteAllBytes(path, Enumerable.Range(0, 2000).Select(i => (byte)(i * 7 + 3)).ToArray());
        Assert.Throws<InvalidInputException>(() => new TarArchiveIndex(path).Dispose());
    }
}
