namespace MiniRun.Tests.Streams;

public class ReadAheadStreamTests
{
    /// <summary>A source that hands out a few bytes per read, then fails: the consumer must see the bytes first, then the failure.</summary>
    private sealed class FailingSource(byte[] data, Exception failure) : ForwardOnlyStream
    {
        private int _offset;

        protected override int ReadCore(Span<byte> buffer)
        {
            if (_offset == data.Length) throw failure;
            int n = Math.Min(Math.Min(buffer.Length, 7), data.Length - _offset);
            data.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1 << 20)]
    [InlineData(5 * (1 << 20) + 3)]
    public void Read_AnyLength_GivesEveryByteInOrder(int length)
    {
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        using var ahead = new ReadAheadStream(new MemoryStream(data));
        using var copy = new MemoryStream();
        ahead.CopyTo(copy, 4096);
        Assert.Equal(data, copy.ToArray());
        Assert.Equal(0, ahead.Read(new byte[16]));
    }

    [Fact]
    public void Read_SourceFails_RethrowsTheSameExceptionAfterTheBytesBeforeIt()
    {
        byte[] data = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var failure = new InvalidDataException("corrupt gzip");
        using var ahead = new ReadAheadStream(new FailingSource(data, failure));
        byte[] received = new byte[64];
        int filled = 0;
        void ReadUntilFailure()
        {
            while (true) filled += ahead.Read(received, filled, received.Length - filled);
        }
        InvalidDataException thrown = Assert.Throws<InvalidDataException>(ReadUntilFailure);
        Assert.Same(failure, thrown);
        Assert.Equal(data, received[..filled]);
    }

    [Fact]
    public void Dispose_BeforeTheEnd_StopsReadingTheSource()
    {
        var source = new MemoryStream(new byte[64 << 20]);
        var ahead = new ReadAheadStream(source);
        Assert.Equal(1, ahead.Read(new byte[1]));
        ahead.Dispose();
        long position = source.Position;
        Thread.Sleep(50);
        Assert.Equal(position, source.Position);
        Assert.True(position < source.Length);
    }
}
