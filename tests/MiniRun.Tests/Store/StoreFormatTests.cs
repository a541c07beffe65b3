using MiniRun.Store;

namespace MiniRun.Tests.Store;

/// <summary>
/// The store's format version, opened in this process (no root needed): a new store records the current format, a
/// store of an older MiniRun (no format file, 0755 directories) is migrated once, a newer one is refused.
/// </summary>
public class StoreFormatTests : IDisposable
{
    private readonly TempDirectory _scratch = new("minirun-store-format");
    private string Root => _scratch.Combine("store");

    public void Dispose() => _scratch.Dispose();

    private static readonly string[] OwnDirectories = ["", "layers", "containers", "l", "images", "tmp", "locks"];

    private const UnixFileMode Open = (UnixFileMode)0x1ed; // 0755: what every MiniRun before the format file made

    /// <summary>A store as MiniRun made it before the format file: its directories, 0755, and a layer's file below.</summary>
    private void MakeFormatOneStore()
    {
        foreach (string dir in OwnDirectories)
        {
            Directory.CreateDirectory(Path.Combine(Root, dir));
            File.SetUnixFileMode(Path.Combine(Root, dir), Open);
        }
        Directory.CreateDirectory(Path.Combine(Root, "layers", "abc", "diff"));
        File.SetUnixFileMode(Path.Combine(Root, "layers", "abc"), Open);
    }

    private UnixFileMode Mode(string dir) => File.GetUnixFileMode(Path.Combine(Root, dir));

    [Fact]
    public void EnsureCreated_NewStore_RecordsCurrentFormatAndMigratesNothing()
    {
        StorePaths paths = new StorePaths(Root).EnsureCreated();

        Assert.Equal($"{StoreFormat.Current}\n", File.ReadAllText(Path.Combine(Root, "format")));
        Assert.Equal(StoreFormat.Current, StoreFormat.TryRead(paths));
        Assert.Empty(paths.Migrations);
        Assert.Empty(Directory.GetFileSystemEntries(paths.Temp)); // the format was staged there and renamed away
        Assert.Equal((UnixFileMode)0x1c8, Mode(""));
    }

    [Fact]
    public void EnsureCreated_FormatOneStore_MigratesOnceToCurrent()
    {
        MakeFormatOneStore();

        StorePaths first = new StorePaths(Root).EnsureCreated();
        StorePaths second = new StorePaths(Root).EnsureCreated();

        Assert.Equal([1, 2], first.Migrations.Select(m => m.From));
        Assert.Empty(second.Migrations);
        Assert.Equal(StoreFormat.Current, StoreFormat.TryRead(second));
        foreach (string dir in OwnDirectories)
            Assert.True((Mode(dir) & (UnixFileMode)0x7) == 0, $"store/{dir} is {Mode(dir)}");
        Assert.Equal((UnixFileMode)0x1c8, Mode("")); // 0710
        Assert.Equal((UnixFileMode)0x1c0, Mode("images")); // 0700
        Assert.Equal(Open, Mode(Path.Combine("layers", "abc"))); // only the store's own directories: no walk
    }

    [Fact]
    public void EnsureCreated_MigrationUndone_IsNotRunAgain()
    {
        MakeFormatOneStore();
        new StorePaths(Root).EnsureCreated();
        File.SetUnixFileMode(Path.Combine(Root, "layers"), Open); // a choice of the admin's, after the migration

        StorePaths again = new StorePaths(Root).EnsureCreated();

        Assert.Empty(again.Migrations);
        Assert.Equal(Open, Mode("layers")); // once, not at every use: the stat of the root on every command is gone
    }

    [Fact]
    public void EnsureCreated_NewerFormat_IsRefusedWithOneLine()
    {
        new StorePaths(Root).EnsureCreated();
        File.WriteAllText(Path.Combine(Root, "format"), $"{StoreFormat.Current + 1}\n");

        var e = Assert.Throws<MiniRunException>(() => new StorePaths(Root).EnsureCreated());

        Assert.Equal($"the store at {Root} has format {StoreFormat.Current + 1}, newer than this minirun knows ({StoreFormat.Current}): " +
            "use the newer minirun that wrote it, or another store (--root DIR)", e.Message);
        Assert.Equal($"{StoreFormat.Current + 1}\n", File.ReadAllText(Path.Combine(Root, "format"))); // untouched
    }

    [Fact]
    public void EnsureCreated_UnreadableFormatFile_IsRefusedNamingTheFile()
    {
        new StorePaths(Root).EnsureCreated();
        File.WriteAllText(Path.Combine(Root, "format"), "two\n");

        var e = Assert.Throws<MiniRunException>(() => new StorePaths(Root).EnsureCreated());

        Assert.StartsWith($"{Root}/format holds \"two\", not a store format", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Steps_AreConsecutive_AndEndAtCurrent()
    {
        Assert.Equal(Enumerable.Range(StoreFormat.Unversioned, StoreMigrations.Steps.Count), StoreMigrations.Steps.Select(s => s.From));
        Assert.Equal(StoreFormat.Current, StoreMigrations.Steps[^1].To);
    }
}
