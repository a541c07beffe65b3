using System.Text;
using MiniRun.Fixtures.Tar;
using MiniRun.Layers;

namespace MiniRun.Tests.Layers;

public class TarArchiveReaderTests
{
    /// <summary>vfs_cap_data revision 2 with cap_setuid and cap_net_bind_service: its bytes are not valid UTF-8.</summary>
    internal static readonly byte[] CapabilityBlob = [0x01, 0x00, 0x00, 0x02, 0x80, 0x04, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static List<(TarEntry Entry, byte[] Data)> ReadAll(byte[] tar)
    {
        using var reader = new TarArchiveReader(new MemoryStream(tar), "test.tar");
        var entries = new List<(TarEntry, byte[])>();
        while (reader.ReadNextEntry() is { } entry)
        {
            using var data = new MemoryStream();
            reader.CopyDataTo(data);
            entries.Add((entry, data.ToArray()));
        }
        return entries;
    }

    [Fact]
    public void ReadNextEntry_EveryType_ReportsHeaderFields()
    {
        DateTimeOffset mtime = new(2020, 5, 6, 7, 8, 9, TimeSpan.Zero);
        byte[] tar = new TarBuilder()
            .Directory("etc", mode: "0755", uid: 1, gid: 2, mtime: mtime)
            .File("etc/passwd", "root:x:0:0\n", mode: "4755", uid: 1000, gid: 100, mtime: mtime)
            .Symlink("bin/sh", "/bin/busybox")
            .HardLink("etc/passwd-", "etc/passwd")
            .Fifo("run/fifo", mode: "0600")
            .CharDevice("dev/null", 1, 3)
            .BlockDevice("dev/sda", 8, 0)
            .ToArray();

        var entries = ReadAll(tar);

        Assert.Equal(["etc", "etc/passwd", "bin/sh", "etc/passwd-", "run/fifo", "dev/null", "dev/sda"], entries.Select(e => e.Entry.Name));
        Assert.Equal([TarEntryType.Directory, TarEntryType.RegularFile, TarEntryType.SymbolicLink, TarEntryType.HardLink,
            TarEntryType.Fifo, TarEntryType.CharacterDevice, TarEntryType.BlockDevice], entries.Select(e => e.Entry.Type));
        TarEntry file = entries[1].Entry;
        Assert.Equal((0x9EDu, 1000L, 100L, 11L), (file.Mode, file.Uid, file.Gid, file.Size));
        Assert.Equal(new TarTimestamp(mtime.ToUnixTimeSeconds(), 0), file.ModifiedTime);
        Assert.Equal("root:x:0:0\n", Encoding.UTF8.GetString(entries[1].Data));
        Assert.Equal("/bin/busybox", entries[2].Entry.LinkName);
        Assert.Equal("etc/passwd", entries[3].Entry.LinkName);
        Assert.Equal((1u, 3u), (entries[5].Entry.DeviceMajor, entries[5].Entry.DeviceMinor));
        Assert.Equal((8u, 0u), (entries[6].Entry.DeviceMajor, entries[6].Entry.DeviceMinor));
    }

    [Theory]
    [InlineData(TarBuilderFormat.Pax)]
    [InlineData(TarBuilderFormat.Gnu)]
    public void ReadNextEntry_LongNameAndLinkName_AreRestored(TarBuilderFormat format)
    {
        string longName = string.Join('/', Enumerable.Repeat("directory-with-a-long-name", 8)) + "/file";
        string longTarget = "/" + string.Join('/', Enumerable.Repeat("target-segment", 12));
        byte[] tar = new TarBuilder(format).File(longName, "data").Symlink("link", longTarget).HardLink(longName + "-hard", longName).ToArray();

        var entries = ReadAll(tar);

        Assert.Equal([longName, "link", longName + "-hard"], entries.Select(e => e.Entry.Name));
        Assert.Equal(longTarget, entries[1].Entry.LinkName);
        Assert.Equal(longName, entries[2].Entry.LinkName);
        Assert.Equal("data", Encoding.UTF8.GetString(entries[0].Data));
    }

    [Fact]
    public void ReadNextEntry_Base256Uid_IsDecoded()
    {
        byte[] tar = new TarBuilder(TarBuilderFormat.Gnu).File("big", "x", uid: 3_000_000_000, gid: 2_500_000).ToArray();
        Assert.Equal(0x80, tar[108]); // really base-256 in the header, not a PAX record

        TarEntry entry = ReadAll(tar).Single().Entry;

        Assert.Equal((3_000_000_000L, 2_500_000L), (entry.Uid, entry.Gid));
    }

    [Fact]
    public void ReadNextEntry_PaxUidAndSubSecondMtime_AreDecoded()
    {
        DateTimeOffset mtime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(1_234_567);
        TarEntry entry = ReadAll(new TarBuilder().File("f", "x", uid: 4_000_000, mtime: mtime).ToArray()).Single().Entry;

        Assert.Equal(4_000_000L, entry.Uid);
        Assert.Equal(new TarTimestamp(1_700_000_000, 123_456_700), entry.ModifiedTime);
    }

    [Fact]
    public void ReadNextEntry_BinaryXattr_IsByteExact()
    {
        byte[] tar = new TarBuilder().File("bin/ping", "elf", mode: "0755")
            .Xattr("security.capability", CapabilityBlob).Xattr("user.comment", "héllo").ToArray();

        TarEntry entry = ReadAll(tar).Single().Entry;

        Assert.Equal(CapabilityBlob, entry.Xattrs.Single(x => x.Name == "security.capability").Value);
        Assert.Equal("héllo"u8.ToArray(), entry.Xattrs.Single(x => x.Name == "user.comment").Value);
    }

    [Fact]
    public void ReadNextEntry_GlobalPaxRecord_AppliesToEveryEntryUnlessOverridden()
    {
        byte[] tar = new TarBuilder().GlobalRecord("uid", "4242")
            .File("a", "x").Add(new TarBuilderEntry(TarBuilderEntry.RegularFile, "b") { ExtraPaxRecords = [new("uid", "7")] }).ToArray();

        var entries = ReadAll(tar);

        Assert.Equal([4242L, 7L], entries.Select(e => e.Entry.Uid));
    }

    [Fact]
    public void ReadNextEntry_LargeFile_IsStreamedInChunks()
    {
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(1).NextBytes(content);
        using var reader = new TarArchiveReader(new MemoryStream(new TarBuilder().File("big", content).ToArray()), "test.tar");
        reader.ReadNextEntry();
        var copy = new MemoryStream();
        int chunks = 0;
        while (reader.TryReadDataChunk(out ReadOnlySpan<byte> chunk)) { copy.Write(chunk); chunks++; }

        Assert.True(chunks > 1, "a 3 MiB file must not come back as one buffer");
        Assert.Equal(content, copy.ToArray());
        Assert.Null(reader.ReadNextEntry());
    }

    [Fact]
    public void ReadNextEntry_AtEnd_HasConsumedTheWholeStreamIncludingPadding()
    {
        byte[] tar = [.. new TarBuilder().File("a", "x").ToArray(), .. new byte[4096]];
        using var hashing = new HashingStream(new MemoryStream(tar));
        using var reader = new TarArchiveReader(hashing, "test.tar", leaveOpen: true);

        while (reader.ReadNextEntry() is not null) { }

        Assert.Equal(tar.Length, hashing.BytesRead);
        Assert.Equal(Digest.Of(tar), hashing.Finish());
    }

    [Fact]
    public void ReadNextEntry_SkippedData_DoesNotDisturbTheNextHeader()
    {
        byte[] tar = new TarBuilder().File("a", new byte[1000]).File("b", "second").ToArray();
        using var reader = new TarArchiveReader(new MemoryStream(tar), "test.tar");

        reader.ReadNextEntry();
        TarEntry? b = reader.ReadNextEntry();
        using var data = new StreamReader(reader.OpenData());

        Assert.Equal("b", b?.Name);
        Assert.Equal("second", data.ReadToEnd());
    }

    [Fact]
    public void ReadNextEntry_TruncatedData_ThrowsNamingSourceAndEntry()
    {
        byte[] tar = new TarBuilder { PadToRecord = false }.File("etc/hosts", new byte[2000]).ToArray()[..1200];

        var e = Assert.Throws<InvalidInputException>(() => ReadAll(tar));

        Assert.Contains("test.tar", e.Message);
        Assert.Contains("etc/hosts", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ReadNextEntry_TruncatedHeader_Throws()
    {
        byte[] tar = new TarBuilder { PadToRecord = false }.File("a", "x").File("b", "y").ToArray()[..1300];

        var e = Assert.Throws<InvalidInputException>(() => ReadAll(tar));

        Assert.Contains("truncated", e.Message);
        Assert.Contains("\"a\"", e.Message);
    }

    [Fact]
    public void ReadNextEntry_CorruptChecksum_ThrowsNamingPreviousEntry()
    {
        byte[] tar = new TarBuilder().File("first", "x").File("second", "y").ToArray();
        tar[1024 + 10] ^= 0x55; // inside the second header's name

        var e = Assert.Throws<InvalidInputException>(() => ReadAll(tar));

        Assert.Equal("test.tar: header checksum mismatch in tar entry after \"first\"", e.Message);
    }

    [Fact]
    public void ReadNextEntry_MalformedPaxRecord_Throws()
    {
        byte[] tar = new TarBuilder().Add(new TarBuilderEntry(TarBuilderEntry.RegularFile, "f") { ExtraPaxRecords = [new("mtime", "yesterday")] }).ToArray();

        var e = Assert.Throws<InvalidInputException>(() => ReadAll(tar));

        Assert.Contains("mtime", e.Message);
    }

    [Fact]
    public void ReadNextEntry_EmptyStream_IsAnEmptyArchive()
    {
        Assert.Empty(ReadAll([]));
    }
}
