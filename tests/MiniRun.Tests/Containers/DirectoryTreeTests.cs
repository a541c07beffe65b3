using MiniRun.Native;
using MiniRun.Tests.Support;

namespace MiniRun.Tests.Containers;

public class DirectoryTreeTests
{
    [RootFact] // the mode-000 directory: only root may empty it, as minirun (root) does overlay's work/work
    public void Remove_TreeOfEveryKind_RemovesItAndNothingASymlinkPointsAt()
    {
        using var temp = new TempDirectory();
        string outside = temp.Combine("outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "kept"), "x");
        string tree = temp.Combine("tree");
        Directory.CreateDirectory(Path.Combine(tree, "a", "b", "c"));
        File.WriteAllText(Path.Combine(tree, "a", "b", "c", "f"), "f");
        File.WriteAllText(Path.Combine(tree, "top"), "t");
        File.CreateSymbolicLink(Path.Combine(tree, "a", "to-outside"), outside);
        File.CreateSymbolicLink(Path.Combine(tree, "dangling"), "/nonexistent");
        Syscalls.MakeNode(Path.Combine(tree, "a", "fifo"), Syscalls.S_IFIFO | 0x1a4, 0, 0);
        Directory.CreateDirectory(Path.Combine(tree, "closed", "inner"));
        File.SetUnixFileMode(Path.Combine(tree, "closed"), UnixFileMode.None); // overlay's work/work is d---------

        DirectoryTree.Remove(tree);

        Assert.False(Path.Exists(tree));
        Assert.Equal("x", File.ReadAllText(Path.Combine(outside, "kept")));
    }

    [Fact]
    public void Remove_Missing_SaysWhichPath()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<NativeException>(() => DirectoryTree.Remove(temp.Combine("gone")));

        Assert.Contains(temp.Combine("gone"), error.Message);
    }
}
