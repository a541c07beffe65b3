using MiniRun.Fixtures.Tar;
using MiniRun.Layers;
using MiniRun.Native;
using MiniRun.Store;

namespace MiniRun.Tests.Layers;

public class HostileArchiveTests
{
    public static TheoryData<string> Names => new(HostileArchives.All.Select(a => a.Name));

    /// <summary>What a regression could touch outside the test directory: all must be as they were.</summary>
    private static string SystemState()
    {
        FileStatus passwd = Syscalls.LStat("/etc/passwd");
        bool tmpOpaque = Syscalls.GetXattr("/tmp", "trusted.overlay.opaque") is not null;
        return $"{Syscalls.TryLStat(HostileArchives.AbsoluteEvil) is not null} {passwd.Inode} {passwd.LinkCount} {passwd.Size} {passwd.Modified} {tmpOpaque}";
    }

    [RootTheory]
    [MemberData(nameof(Names))]
    public void Unpack_HostileArchive_IsRefusedAndWritesNothingOutside(string name)
    {
        using var temp = new TempDirectory();
        string target = temp.Combine("outer", "target");
        Directory.CreateDirectory(target);
        Directory.CreateDirectory(temp.Combine("outer", "sentinel"));
        File.WriteAllText(temp.Combine("outer", "sentinel", "keep"), "sentinel");
        string outsideBefore = TreeSnapshot.Outside(temp.Path, target), systemBefore = SystemState();

        var e = Assert.Throws<InvalidInputException>(() =>
            new LayerUnpacker(target, name + ".tar").Unpack(new MemoryStream(HostileArchives.Get(name).Tar)));

        Assert.StartsWith(name + ".tar: refusing tar entry ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(outsideBefore, TreeSnapshot.Outside(temp.Path, target));
        Assert.Equal(systemBefore, SystemState());
    }

    [RootTheory]
    [MemberData(nameof(Names))]
    public void Add_HostileArchive_IsRefusedAndLeavesTheStoreEmpty(string name)
    {
        using var temp = new TempDirectory();
        var store = new LayerStore(new StorePaths(temp.Combine("store")).EnsureCreated());
        string outsideBefore = TreeSnapshot.Outside(temp.Path, temp.Combine("store")), systemBefore = SystemState();

        var e = Assert.Throws<InvalidInputException>(() => store.Add(new MemoryStream(HostileArchives.Get(name).Tar), null, name));

        Assert.StartsWith(name + ": refusing tar entry ", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Layers));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Links));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Temp));
        Assert.Equal(outsideBefore, TreeSnapshot.Outside(temp.Path, temp.Combine("store")));
        Assert.Equal(systemBefore, SystemState());
    }

    [Fact]
    public void All_HaveDistinctNames()
    {
        Assert.True(HostileArchives.All.Count >= 12);
        Assert.Equal(HostileArchives.All.Count, HostileArchives.All.Select(a => a.Name).Distinct().Count());
    }
}
