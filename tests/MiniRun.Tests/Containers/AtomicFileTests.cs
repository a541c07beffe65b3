using MiniRun.Native;
using MiniRun.Tests.Support;

namespace MiniRun.Tests.Containers;

public class AtomicFileTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WriteAllBytes_Twice_LeavesTheSecondContentAndNoTemporaryFile(bool durable)
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("state.json");

        AtomicFile.WriteAllBytes(path, "one"u8, durable);
        AtomicFile.WriteAllBytes(path, "two"u8, durable);

        Assert.Equal("two", File.ReadAllText(path));
        Assert.Equal(["state.json"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void WriteAllBytes_DirectoryGone_ReportsTheOpenNotTheCleanUp()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("gone", "state.json");

        var error = Assert.Throws<NativeException>(() => AtomicFile.WriteAllBytes(path, "x"u8, durable: false));

        Assert.Equal("open", error.Call);
    }
}
