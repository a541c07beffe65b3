using MiniRun.Fixtures.Tar;
using MiniRun.Layers;

namespace MiniRun.Tests.Layers;

public class LayerTreeDigestTests
{
    private static readonly byte[] Layer = new TarBuilder()
        .Directory("bin").File("bin/busybox", "ELF", mode: "0755").Symlink("bin/sh", "/bin/busybox")
        .HardLink("bin/ls", "bin/busybox").Directory("etc").File("etc/hostname", "minibox\n").File("etc/empty", "")
        .Fifo("run/fifo").ToArray();

    private static (string Root, LayerUnpacker Unpacker) Unpack(TempDirectory temp)
    {
        string root = temp.Combine("diff");
        Directory.CreateDirectory(root);
        var unpacker = new LayerUnpacker(root, "test.tar");
        unpacker.Unpack(new MemoryStream(Layer));
        return (root, unpacker);
    }

    [RootFact]
    public void Compute_WithTheUnpackersContentDigests_EqualsReadingEveryFile()
    {
        using var temp = new TempDirectory();
        (string root, LayerUnpacker unpacker) = Unpack(temp);

        Assert.Equal(["bin/busybox", "bin/ls", "etc/empty", "etc/hostname"], unpacker.Files.Keys.Order(StringComparer.Ordinal));
        string recorded = LayerTreeDigest.Compute(root, unpacker.Files);
        Assert.StartsWith("tree-v2:sha256:", recorded);
        Assert.Equal(LayerTreeDigest.Compute(root), recorded);
        Assert.True(LayerTreeDigest.Matches(root, recorded));
    }

    [RootFact]
    public void Matches_ContentOrModeChanged_IsFalse()
    {
        using var temp = new TempDirectory();
        (string root, LayerUnpacker unpacker) = Unpack(temp);
        string recorded = LayerTreeDigest.Compute(root, unpacker.Files);

        File.WriteAllText(Path.Combine(root, "etc/hostname"), "minibix\n"); // same size, other bytes
        Assert.False(LayerTreeDigest.Matches(root, recorded));
        File.WriteAllText(Path.Combine(root, "etc/hostname"), "minibox\n");
        Assert.True(LayerTreeDigest.Matches(root, recorded));
        File.SetUnixFileMode(Path.Combine(root, "etc/hostname"), UnixFileMode.UserRead);
        Assert.False(LayerTreeDigest.Matches(root, recorded));
    }

    /// <summary>The rule of records written before content was hashed per file: every byte inline, in path order.</summary>
    [Fact]
    public void Matches_LegacyRecord_IsVerifiedByItsOwnRule()
    {
        using var temp = new TempDirectory();
        string root = temp.Combine("diff");
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "a"), "xy");
        File.SetUnixFileMode(Path.Combine(root, "a"), (UnixFileMode)0x1A4);
        File.SetUnixFileMode(root, (UnixFileMode)0x1ED);
        var rootStatus = Native.Syscalls.LStat(root);
        var fileStatus = Native.Syscalls.LStat(Path.Combine(root, "a"));
        string listing = $".\0{rootStatus.Mode:x}\0{rootStatus.Uid}\0{rootStatus.Gid}\00:0\0" +
                         $"a\0{fileStatus.Mode:x}\0{fileStatus.Uid}\0{fileStatus.Gid}\00:0\02xy\n\n";
        string legacy = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(listing)));

        Assert.True(LayerTreeDigest.Matches(root, legacy));
        File.WriteAllText(Path.Combine(root, "a"), "xz");
        Assert.False(LayerTreeDigest.Matches(root, legacy));
    }
}
