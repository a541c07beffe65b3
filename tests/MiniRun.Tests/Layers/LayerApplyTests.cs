using MiniRun.Fixtures.Tar;
using MiniRun.Layers;
using MiniRun.Native;

namespace MiniRun.Tests.Layers;

/// <summary>
/// A layer applied onto the full tree of the layers below it (vfs now, btrfs next): image-spec layer.md "Applying
/// Changesets" — a whiteout deletes, an opaque marker empties its directory of what was below, and nothing is left in
/// overlay form; what the layer itself adds stays, wherever the markers come in the tar.
/// </summary>
public class LayerApplyTests
{
    private static TempDirectory Tree(out string tree)
    {
        var temp = new TempDirectory("minirun-apply");
        tree = temp.Combine("tree");
        new LayerUnpacker(CreateDirectory(tree), "base.tar").Unpack(new MemoryStream(new TarBuilder()
            .Directory("etc").File("etc/shadow", "s").File("etc/passwd", "root")
            .Directory("d").File("d/old", "o").Directory("d/sub").File("d/sub/deep", "x")
            .Directory("gone").File("gone/f", "f")
            .Symlink("link", "/etc")
            .File("a", "A").HardLink("b", "a")
            .ToArray()));
        return temp;
    }

    private static string CreateDirectory(string path)
    {
        Directory.CreateDirectory(path);
        return path;
    }

    private static void Apply(string tree, byte[] layer) => new LayerUnpacker(tree, "layer.tar", ontoTree: true).Unpack(new MemoryStream(layer));

    [RootFact]
    public void Unpack_OntoTree_WhiteoutsDelete_OpaqueEmpties_NoOverlayFormLeft()
    {
        using TempDirectory temp = Tree(out string tree);

        Apply(tree, new TarBuilder()
            .Whiteout("etc/shadow").Whiteout("gone").Whiteout("never-there")
            .File("d/new", "n").Opaque("d") // the marker after this layer's own entry: the entry stays
            .ToArray());

        Assert.False(File.Exists(Path.Combine(tree, "etc/shadow")));
        Assert.True(File.Exists(Path.Combine(tree, "etc/passwd")));
        Assert.False(Directory.Exists(Path.Combine(tree, "gone")));
        Assert.Equal(["new"], Directory.GetFileSystemEntries(Path.Combine(tree, "d")).Select(Path.GetFileName));
        Assert.Null(Syscalls.GetXattr(Path.Combine(tree, "d"), "trusted.overlay.opaque"));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(tree, "*", SearchOption.AllDirectories), p => Syscalls.LStat(p).IsWhiteout);
    }

    [RootFact]
    public void Unpack_OntoTree_ReplacedFileIsANewInode_ItsOldHardLinkKeepsTheOldContent()
    {
        using TempDirectory temp = Tree(out string tree);

        Apply(tree, new TarBuilder().File("a", "changed").ToArray());

        Assert.Equal("changed", File.ReadAllText(Path.Combine(tree, "a")));
        Assert.Equal("A", File.ReadAllText(Path.Combine(tree, "b"))); // as overlay shows it: only /a was replaced
    }

    [RootFact]
    public void Unpack_OntoTree_DirectoryOverAnImageSymlink_ReplacesItInsideTheTree()
    {
        using TempDirectory temp = Tree(out string tree);

        Apply(tree, new TarBuilder().Directory("link").File("link/hosts", "h").ToArray());

        Assert.True(Syscalls.LStat(Path.Combine(tree, "link")).IsDirectory); // not followed to /etc of the host
        Assert.Equal("h", File.ReadAllText(Path.Combine(tree, "link/hosts")));
        Assert.False(File.Exists("/etc/hosts") && File.ReadAllText("/etc/hosts") == "h");
    }

    [RootFact]
    public void Unpack_OntoTree_WhiteoutOfThisLayersOwnEntry_KeepsIt()
    {
        using TempDirectory temp = Tree(out string tree);

        Apply(tree, new TarBuilder().File("etc/motd", "hi").Whiteout("etc/motd").ToArray());

        Assert.Equal("hi", File.ReadAllText(Path.Combine(tree, "etc/motd"))); // a whiteout hides the layers below only
    }
}
