using MiniRun.Fixtures.Tar;
using MiniRun.Layers;
using MiniRun.Native;
using MiniRun.Store;

namespace MiniRun.Tests.Layers;

public class HostileArchiveTests
{
    public static TheoryData<string> Names => new(All.Select(a => a.Name));

    /// <summary>The hostile archives and the odd ones: each is refused, or held inside the layer, as Docker does.</summary>
    private static IEnumerable<HostileArchive> All => HostileArchives.All.Concat(OddArchives.All);

    private static HostileArchive Get(string name) => All.Single(a => a.Name == name);

    /// <summary>What a regression could touch outside the test directory: all must be as they were.</summary>
    private static string SystemState()
    {
        FileStatus passwd = Syscalls.LStat("/etc/passwd");
        bool tmpOpaque = Syscalls.GetXattr("/tmp", "trusted.overlay.opaque") is not null;
        return $"{Syscalls.TryLStat(HostileArchives.AbsoluteEvil) is not null} {Syscalls.TryLStat("/" + HostileArchives.EvilName) is not null} " +
               $"{passwd.Inode} {passwd.LinkCount} {passwd.Size} {passwd.Modified} {tmpOpaque}";
    }

    [RootTheory]
    [MemberData(nameof(Names))]
    public void Unpack_HostileArchive_IsRefusedOrHeldInsideAndWritesNothingOutside(string name)
    {
        HostileArchive archive = Get(name);
        using var temp = new TempDirectory();
        string target = temp.Combine("outer", "target");
        Directory.CreateDirectory(target);
        Directory.CreateDirectory(temp.Combine("outer", "sentinel"));
        File.WriteAllText(temp.Combine("outer", "sentinel", "keep"), "sentinel");
        string outsideBefore = TreeSnapshot.Outside(temp.Path, target), systemBefore = SystemState();
        Action unpack = () => new LayerUnpacker(target, name + ".tar").Unpack(new MemoryStream(archive.Tar));

        if (archive.IsRefused)
        {
            var e = Assert.Throws<InvalidInputException>(unpack);
            Assert.StartsWith(name + ".tar: refusing tar entry ", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        else
        {
            unpack();
            Assert.NotNull(Syscalls.TryLStat(Path.Combine(target, archive.Inside!)));
        }
        Assert.Equal(outsideBefore, TreeSnapshot.Outside(temp.Path, target));
        Assert.Equal(systemBefore, SystemState());
    }

    [RootTheory]
    [MemberData(nameof(Names))]
    public void Add_HostileArchive_IsRefusedAndLeavesTheStoreEmptyOrHeldInsideTheLayer(string name)
    {
        HostileArchive archive = Get(name);
        using var temp = new TempDirectory();
        var store = new LayerStore(new StorePaths(temp.Combine("store")).EnsureCreated());
        string outsideBefore = TreeSnapshot.Outside(temp.Path, temp.Combine("store")), systemBefore = SystemState();

        if (archive.IsRefused)
        {
            var e = Assert.Throws<InvalidInputException>(() => store.Add(new MemoryStream(archive.Tar), null, name));
            Assert.StartsWith(name + ": refusing tar entry ", e.Message);
            Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Layers));
            Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Links));
        }
        else
        {
            Layer layer = store.Add(new MemoryStream(archive.Tar), null, name);
            Assert.NotNull(Syscalls.TryLStat(Path.Combine(layer.DiffPath, archive.Inside!)));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Paths.Temp));
        Assert.Equal(outsideBefore, TreeSnapshot.Outside(temp.Path, temp.Combine("store")));
        Assert.Equal(systemBefore, SystemState());
    }

    [Fact]
    public void All_HaveDistinctNames()
    {
        Assert.True(HostileArchives.All.Count >= 12);
        Assert.Equal(All.Count(), All.Select(a => a.Name).Distinct().Count());
    }
}
