using System.IO.Hashing;
using MiniRun.Fixtures.Tar;
using MiniRun.Layers;

namespace MiniRun.Tests.Layers;

public class PrefetchingTarReaderTests
{
    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void ReadNextEntry_ManyFilesAcrossBlocks_GivesEveryEntryDataAndContentDigestInOrder()
    {
        // Small files share a block, big ones span several, and data-less entries come between them.
        var builder = new TarBuilder();
        var files = new List<(string Name, byte[] Content)>();
        for (int i = 0; i < 300; i++)
        {
            byte[] content = RandomBytes(i % 7 == 0 ? 2_500_000 + i : i * 97, i);
            files.Add(($"d{i % 5}/f{i}", content));
            builder.Directory($"d{i % 5}").File($"d{i % 5}/f{i}", content).Symlink($"d{i % 5}/l{i}", $"f{i}");
        }
        using var reader = new PrefetchingTarReader(new MemoryStream(builder.ToArray()), "test.tar");

        var seen = new List<(string Name, byte[] Content, byte[]? Digest)>();
        while (reader.ReadNextEntry() is { } entry)
        {
            if (entry.Type != TarEntryType.RegularFile)
            {
                Assert.False(reader.TryReadDataChunk(out _));
                Assert.Null(reader.ContentDigest);
                continue;
            }
            var data = new MemoryStream();
            while (reader.TryReadDataChunk(out ReadOnlySpan<byte> chunk)) data.Write(chunk);
            seen.Add((entry.Name, data.ToArray(), reader.ContentDigest));
        }

        Assert.Equal(files.Select(f => f.Name), seen.Select(s => s.Name));
        for (int i = 0; i < files.Count; i++)
        {
            Assert.Equal(files[i].Content, seen[i].Content);
            Assert.Equal(XxHash128.Hash(files[i].Content), seen[i].Digest);
        }
    }

    [Fact]
    public void ReadNextEntry_DataLeftUnread_IsSkipped()
    {
        byte[] tar = new TarBuilder().File("a", RandomBytes(3_000_000, 1)).File("b", "second").ToArray();
        using var reader = new PrefetchingTarReader(new MemoryStream(tar), "test.tar");

        reader.ReadNextEntry();
        Assert.True(reader.TryReadDataChunk(out _));
        TarEntry? b = reader.ReadNextEntry();
        Assert.True(reader.TryReadDataChunk(out ReadOnlySpan<byte> chunk));

        Assert.Equal("b", b?.Name);
        Assert.Equal("second"u8.ToArray(), chunk.ToArray());
        Assert.Null(reader.ReadNextEntry());
        Assert.Null(reader.ReadNextEntry());
    }

    [Fact]
    public void ReadNextEntry_AtEnd_HasReadTheWholeStream()
    {
        byte[] tar = [.. new TarBuilder().File("a", "x").ToArray(), .. new byte[4096]];
        using var hashing = new HashingStream(new MemoryStream(tar));
        using (var reader = new PrefetchingTarReader(hashing, "test.tar"))
            while (reader.ReadNextEntry() is not null) { }

        Assert.Equal(tar.Length, hashing.BytesRead);
    }

    [Fact]
    public void TryReadDataChunk_TruncatedData_ThrowsWhereTheDataEndsAfterTheEntriesBeforeIt()
    {
        byte[] tar = new TarBuilder().File("first", "ok").File("big", RandomBytes(2_000_000, 2)).ToArray();
        using var reader = new PrefetchingTarReader(new MemoryStream(tar[..1_500_000]), "cut.tar");

        Assert.Equal("first", reader.ReadNextEntry()?.Name);
        Assert.Equal("big", reader.ReadNextEntry()?.Name);
        long received = 0;
        var e = Assert.Throws<InvalidInputException>(() =>
        {
            while (reader.TryReadDataChunk(out ReadOnlySpan<byte> chunk)) received += chunk.Length;
        });

        Assert.Contains("cut.tar", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.True(received > 1_000_000, "the bytes before the cut come first");
    }

    [Fact]
    public void Dispose_BeforeTheEnd_StopsReadingTheSource()
    {
        var builder = new TarBuilder();
        for (int i = 0; i < 64; i++) builder.File($"f{i}", new byte[1 << 20]);
        var source = new MemoryStream(builder.ToArray());
        var reader = new PrefetchingTarReader(source, "test.tar");
        reader.ReadNextEntry();

        reader.Dispose();
        long position = source.Position;
        Thread.Sleep(50);

        Assert.Equal(position, source.Position);
        Assert.True(position < source.Length);
    }
}
