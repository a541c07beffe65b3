using System.IO.Enumeration;
using MiniRun.Fixtures.Images;
using MiniRun.Fixtures.Tar;

namespace MiniRun.Tests.Images;

/// <summary>
/// Every hostile layer of the fixtures, as a user meets it: inside an image given to `minirun load`, or as a
/// rootfs given to `minirun import`. Each is refused with one line and exit 1 (docker load's and import's) and the store
/// is left as it was, or (where Docker takes it too) taken with the escape held inside the layer; nothing appears outside.
/// </summary>
public class HostileImageTests
{
    public static TheoryData<string> Names() => [.. HostileArchives.All.Select(a => a.Name)];

    [RootTheory]
    [MemberData(nameof(Names))]
    public void Load_ImageWithHostileLayer_IsRefusedOrHeldInsideAndWritesNothingOutside(string name)
    {
        using var scratch = new TempDirectory("minirun-hostile");
        var builder = new ImageArchiveBuilder().AddLayer(HostileArchives.Get(name).Tar).WithName("hostile:latest");
        string archive = scratch.Combine("hostile.tar");
        builder.Write(ArchiveFormat.DockerSave, archive);

        AssertRefusedOrHeldInside(scratch, HostileArchives.Get(name), cli => cli.Run("load", "-i", archive));
    }

    [RootTheory]
    [MemberData(nameof(Names))]
    public void Import_HostileRootfs_IsRefusedOrHeldInsideAndWritesNothingOutside(string name)
    {
        using var scratch = new TempDirectory("minirun-hostile");
        string tar = scratch.Combine("rootfs.tar");
        File.WriteAllBytes(tar, HostileArchives.Get(name).Tar);

        AssertRefusedOrHeldInside(scratch, HostileArchives.Get(name), cli => cli.Run("import", tar, "hostile:latest"));
    }

    private static void AssertRefusedOrHeldInside(TempDirectory scratch, HostileArchive archive, Func<MiniRunCli, MiniRunCli.Result> command)
    {
        if (archive.IsRefused)
        {
            AssertRefused(scratch, command);
            return;
        }
        string outside = scratch.Combine("outside");
        Directory.CreateDirectory(outside);
        var cli = new MiniRunCli(Path.Combine(outside, "store"));
        string[] before = Snapshot(outside);

        MiniRunCli.Result result = command(cli);

        Assert.True(result.ExitCode == 0, result.ToString());
        string layers = Path.Combine(cli.StoreRoot, "layers");
        string diff = Path.Combine(Assert.Single(Directory.EnumerateDirectories(layers)), "diff");
        Assert.True(MiniRun.Native.Syscalls.TryLStat(Path.Combine(diff, archive.Inside!)) is not null, $"{archive.Inside} is not in the layer");
        Assert.False(File.Exists(HostileArchives.AbsoluteEvil) || Directory.Exists(HostileArchives.AbsoluteEvil), "an absolute escape reached /tmp");
        Assert.Equal(before.Where(p => !p.StartsWith("store", StringComparison.Ordinal)),
            Snapshot(outside).Where(p => !p.StartsWith("store", StringComparison.Ordinal)));
        Assert.DoesNotContain(Walk(scratch.Path, HostileArchives.EvilName),
            p => !p.StartsWith(cli.StoreRoot + "/", StringComparison.Ordinal));
        cli.RunOk("rmi", "hostile:latest");
    }

    public static TheoryData<string> ImageNames() => [.. HostileImages.All.Select(i => i.Name)];

    [RootTheory]
    [MemberData(nameof(ImageNames))]
    public void Load_HostileImageArchive_IsRefusedAndLeavesNothing(string name)
    {
        using var scratch = new TempDirectory("minirun-hostile");
        string archive = scratch.Combine("hostile.tar");
        HostileImages.Get(name).Write(archive);

        AssertRefused(scratch, cli => cli.Run("load", "-i", archive));
    }

    private static void AssertRefused(TempDirectory scratch, Func<MiniRunCli, MiniRunCli.Result> command)
    {
        // The store sits in a directory of its own next to a sentinel: an escape by ".." would land beside it.
        string outside = scratch.Combine("outside");
        Directory.CreateDirectory(outside);
        var cli = new MiniRunCli(Path.Combine(outside, "store"));
        string[] before = Snapshot(outside);

        MiniRunCli.Result result = command(cli);

        Assert.Equal(1, result.ExitCode);
        Assert.Matches("^minirun: [^\n]+\n$", result.Stderr);
        Assert.Equal("", cli.Run("images", "-q").Stdout);
        foreach (string dir in new[] { "layers", "l", "images", "tmp", "locks" })
        {
            string path = Path.Combine(cli.StoreRoot, dir);
            Assert.True(!Directory.Exists(path) || !Directory.EnumerateFileSystemEntries(path).Any(), $"{dir}/ is not empty after a refused input");
        }
        Assert.False(File.Exists(HostileArchives.AbsoluteEvil) || Directory.Exists(HostileArchives.AbsoluteEvil), "an absolute escape reached /tmp");
        Assert.Equal(before.Where(p => !p.StartsWith("store", StringComparison.Ordinal)),
            Snapshot(outside).Where(p => !p.StartsWith("store", StringComparison.Ordinal)));
        Assert.Empty(Walk(scratch.Path, HostileArchives.EvilName));
    }

    private static string[] Snapshot(string dir) => Walk(dir).Select(p => Path.GetRelativePath(dir, p)).Order().ToArray();

    /// <summary>Every path below <paramref name="dir"/> (named <paramref name="name"/>, when given), never through a symlink: one held inside a layer may lead anywhere.</summary>
    private static IEnumerable<string> Walk(string dir, string? name = null) =>
        new FileSystemEnumerable<string>(dir, (ref FileSystemEntry e) => e.ToFullPath(), new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
        {
            ShouldRecursePredicate = (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0,
            ShouldIncludePredicate = (ref FileSystemEntry e) => name is null || e.FileName.SequenceEqual(name),
        };
}
