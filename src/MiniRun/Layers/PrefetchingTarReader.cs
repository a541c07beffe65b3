using System.Runtime.ExceptionServices;

namespace MiniRun.Layers;

/// <summary>
/// A <see cref="TarArchiveReader"/> run on a second thread, ahead of the unpacker: the reads below it (the DiffID hash,
/// decompression), the header parsing and the hash of each regular file's content (for <see cref="LayerTreeDigest"/>)
/// happen on one core while the unpacker's file writes run on another. File data is copied into a few reused blocks, so memory stays bounded
/// (<c>BlockCount × BlockSize</c>), and entries are handed over in batches, so the two threads rarely meet on the lock.
/// A failure of the reader is rethrown, with its type and stack, by the consumer's call that reaches the point in the
/// archive where it happened. Dispose stops the thread and waits for it, so the source is never touched after it.
/// </summary>
public sealed class PrefetchingTarReader : IDisposable
{
    private const int BlockSize = 1 << 20;
    private const int BlockCount = 4;
    private const int BatchSize = 256;       // items per hand-over when the consumer is busy
    private const int MaxPendingItems = 16384; // entries without data take no block: bound them too

    private enum Kind : byte { Entry, Data, ContentDigest, BlockDone, End }

    /// <summary>One step of the archive as the consumer meets it; which fields are set depends on <see cref="Kind"/>.</summary>
    private readonly record struct Item(Kind Kind, TarEntry? Entry = null, byte[]? Bytes = null, int Offset = 0, int Length = 0);

    private readonly TarArchiveReader _reader;
    private readonly Thread _thread;
    private readonly object _gate = new();
    private readonly Stack<byte[]> _freeBlocks = new(BlockCount);
    private List<Item> _shared = new(BatchSize); // filled by the producer, swapped out by the consumer, under _gate
    private bool _stopping, _consumerWaiting, _producerWaiting;
    private ExceptionDispatchInfo? _failure;

    // Producer side.
    private readonly List<Item> _batch = new(BatchSize);
    private byte[]? _block;
    private int _blockUsed;

    // Consumer side.
    private List<Item> _taken = new(BatchSize);
    private int _takenIndex;
    private bool _ended;

    /// <param name="split">see <see cref="TarArchiveReader"/>; written on the reader's thread.</param>
    public PrefetchingTarReader(Stream tar, string source, TarSplitWriter? split = null)
    {
        _reader = new TarArchiveReader(tar, source, leaveOpen: true, split);
        for (int i = 0; i < BlockCount; i++) _freeBlocks.Push(new byte[BlockSize]);
        _thread = new Thread(Produce) { IsBackground = true, Name = "minirun tar" };
        _thread.Start();
    }

    /// <summary>The hash of the last regular file's content, once <see cref="TryReadDataChunk"/> has returned false for it.</summary>
    public byte[]? ContentDigest { get; private set; }

    /// <summary>The next entry (skipping what is left of the current one's data), or null at the end of the archive.</summary>
    public TarEntry? ReadNextEntry()
    {
        ContentDigest = null;
        while (!_ended)
        {
            Item item = Take();
            switch (item.Kind)
            {
                case Kind.Entry: return item.Entry;
                case Kind.BlockDone: Release(item.Bytes!); break;
                case Kind.End: End(); break;
            }
        }
        return null;
    }

    /// <summary>The next piece of the current entry's data (valid until the next call); false when its data is exhausted.</summary>
    public bool TryReadDataChunk(out ReadOnlySpan<byte> chunk)
    {
        chunk = default;
        while (!_ended)
        {
            Item item = Peek();
            switch (item.Kind)
            {
                case Kind.Data:
                    _takenIndex++;
                    chunk = item.Bytes.AsSpan(item.Offset, item.Length);
                    return true;
                case Kind.BlockDone:
                    _takenIndex++;
                    Release(item.Bytes!);
                    break;
                case Kind.ContentDigest:
                    _takenIndex++;
                    ContentDigest = item.Bytes;
                    return false;
                case Kind.End:
                    if (_failure is not null) End(); // a failure inside the data is met here, where it happened
                    return false;
                default:
                    return false;
            }
        }
        return false;
    }

    private void End()
    {
        _ended = true;
        _failure?.Throw();
    }

    private Item Take()
    {
        Item item = Peek();
        _takenIndex++;
        return item;
    }

    private Item Peek()
    {
        if (_takenIndex == _taken.Count)
        {
            _taken.Clear();
            _takenIndex = 0;
            lock (_gate)
            {
                while (_shared.Count == 0)
                {
                    _consumerWaiting = true;
                    Monitor.Wait(_gate);
                    _consumerWaiting = false;
                }
                (_taken, _shared) = (_shared, _taken);
                if (_producerWaiting) Monitor.Pulse(_gate);
            }
        }
        return _taken[_takenIndex];
    }

    private void Release(byte[] block)
    {
        lock (_gate)
        {
            _freeBlocks.Push(block);
            if (_producerWaiting) Monitor.Pulse(_gate);
        }
    }

    /// <summary>The producer thread: parse, hash and copy every entry, then one End item (carrying the failure, if any).</summary>
    private void Produce()
    {
        try
        {
            var content = LayerTreeDigest.NewContentHash();
            while (_reader.ReadNextEntry() is { } entry)
            {
                Add(new Item(Kind.Entry, entry));
                if (entry.Type != TarEntryType.RegularFile) continue;
                while (_reader.TryReadDataChunk(out ReadOnlySpan<byte> chunk))
                {
                    content.Append(chunk);
                    CopyData(chunk);
                }
                Add(new Item(Kind.ContentDigest, Bytes: content.GetHashAndReset()));
            }
        }
        catch (OperationCanceledException) when (Volatile.Read(ref _stopping))
        {
            return; // the consumer is gone: nobody reads what would follow
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
        }
        try
        {
            _batch.Add(new Item(Kind.End));
            Publish();
        }
        catch (OperationCanceledException) { } // disposed meanwhile; an exception must not escape a thread
    }

    private void CopyData(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            if (_block is null || _blockUsed == BlockSize) NextBlock();
            int n = Math.Min(chunk.Length, BlockSize - _blockUsed);
            chunk[..n].CopyTo(_block.AsSpan(_blockUsed));
            Add(new Item(Kind.Data, Bytes: _block, Offset: _blockUsed, Length: n));
            _blockUsed += n;
            chunk = chunk[n..];
        }
    }

    /// <summary>Hands the full block over (the consumer frees it once it has written what it holds) and waits for a free one.</summary>
    private void NextBlock()
    {
        if (_block is not null) _batch.Add(new Item(Kind.BlockDone, Bytes: _block));
        Publish();
        lock (_gate)
        {
            while (_freeBlocks.Count == 0) WaitAsProducer();
            _block = _freeBlocks.Pop();
            _blockUsed = 0;
        }
    }

    private void Add(Item item)
    {
        _batch.Add(item);
        if (_batch.Count >= BatchSize || Volatile.Read(ref _consumerWaiting)) Publish();
    }

    private void Publish()
    {
        if (_batch.Count == 0) return;
        lock (_gate)
        {
            while (_shared.Count >= MaxPendingItems) WaitAsProducer();
            _shared.AddRange(_batch);
            if (_consumerWaiting) Monitor.Pulse(_gate);
        }
        _batch.Clear();
    }

    /// <summary>Waits (holding _gate) for the consumer; a Dispose while waiting ends the producer.</summary>
    private void WaitAsProducer()
    {
        if (_stopping) throw new OperationCanceledException();
        _producerWaiting = true;
        Monitor.Wait(_gate);
        _producerWaiting = false;
        if (_stopping) throw new OperationCanceledException();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
        _reader.Dispose();
    }
}
